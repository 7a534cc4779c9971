"""The employer's daily digest: the student work that awaits their review, in one email.

At most one a day per employer member, and only when something changed since their last one:
new work arrived, or an item reached day 3 or day 6 of its review period, or its due date
(the reminders). Work a student did not share is not listed: the employer cannot review it.
No student is named (an email is not a logged disclosure; the portal page is).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.employers.models import EmployerMember, EmployerOrg
from catalog.projects.models import Project, ProjectRevision
from config import notices
from grading.placements.models import Placement
from grading.reviews.notices import institution_of
from grading.reviews.records import latest_releases
from grading.reviews.service import EmployerSubmission, inbox

REMINDER_DAYS = (3, 6)


def awaiting(session: Session, *, employer_id: int, review_days: int) -> list[EmployerSubmission]:
    """What this employer can and should review now."""
    items = [i for i in inbox(session, employer_id=employer_id, review_days=review_days)
             if i.work_visible and not (i.review is not None and i.review.is_final)]
    released = latest_releases(session, submission_ids=[i.submission.id for i in items])
    return [i for i in items if i.submission.id not in released]


def _employers_with_placements(session: Session) -> list[int]:
    return list(session.scalars(
        select(Project.employer_id).distinct()
        .join(ProjectRevision, ProjectRevision.project_id == Project.id)
        .join(Placement, Placement.project_revision_id == ProjectRevision.id)
        .order_by(Project.employer_id)
    ))


def _last_digest(session: Session, member_id: int) -> datetime | None:
    return session.scalar(
        select(notices.NoticeOnce.created_at)
        .where(notices.NoticeOnce.key.like(f"review-digest:{member_id}:%"))
        .order_by(notices.NoticeOnce.created_at.desc()).limit(1)
    )


def _news_since(item: EmployerSubmission, since: datetime | None, now: datetime,
                review_days: int) -> bool:
    if since is None:
        return True
    moments = [item.submission.submitted_at, item.due_at] + [
        item.submission.submitted_at + timedelta(days=d) for d in REMINDER_DAYS if d < review_days
    ]
    return any(since < moment <= now for moment in moments)


def send_digests(session: Session, *, now: datetime, review_days: int) -> int:
    """Queue today's digests that are due; returns how many were queued."""
    queued = 0
    for employer_id in _employers_with_placements(session):
        items = awaiting(session, employer_id=employer_id, review_days=review_days)
        if not items:
            continue
        org = session.get(EmployerOrg, employer_id)
        members = session.scalars(
            select(EmployerMember).where(EmployerMember.employer_id == employer_id)
            .order_by(EmployerMember.id)
        ).all()
        for member in members:
            if not any(_news_since(i, _last_digest(session, member.id), now, review_days)
                       for i in items):
                continue
            if not notices.once(session, f"review-digest:{member.id}:{now.date().isoformat()}",
                                at=now):
                continue
            queued += _send(session, member=member, org_name=org.name if org else "",
                            items=items, now=now) is not None
    return queued


def _send(session: Session, *, member: EmployerMember, org_name: str,
          items: list[EmployerSubmission], now: datetime) -> object:
    items = sorted(items, key=lambda i: i.due_at)
    lines = []
    for item in items:
        late = " (overdue)" if item.due_at < now else ""
        lines.append(f"• “{item.placement.title}”: due {item.due_at.strftime('%d %B %Y')}{late}\n"
                     f"  {notices.absolute(f'/employer/reviews/{item.submission.id}')}")
    count = len(items)
    institutions = {institution_of(session, i.placement) for i in items}
    return notices.notify(
        session, to=member.email, kind="review_digest",
        institution_id=institutions.pop() if len(institutions) == 1 else None,
        subject=(f"{count} student submission{'s' if count != 1 else ''} await"
                 f"{'s' if count == 1 else ''} your review"),
        body=(
            f"Hello {member.display_name()},\n\n"
            f"Student work on {org_name or 'your organisation'}'s projects awaits your review:\n\n"
            + "\n".join(lines)
            + f"\n\nAll of it: {notices.absolute('/employer/reviews/')}\n"
        ),
        reason=f"you review student work for {org_name or 'your organisation'} on Microbridge "
        "(at most one digest a day).",
    )
