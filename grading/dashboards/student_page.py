"""Everything the student's project page shows, gathered in one place for a thin view."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from markupsafe import Markup
from sqlalchemy.orm import Session

from catalog.markdown import render
from grading.consent import service as consent
from grading.consent.models import Consent, Participation
from grading.milestones import service as milestones_service
from grading.milestones.models import CheckIn, HoursEntry, Milestone
from grading.people.models import Person
from grading.placements.catalog_project import ProjectInfo, project_info
from grading.placements.models import Placement
from grading.reviews.models import GradeRelease, Review
from grading.reviews.records import latest_release, review_of
from grading.submissions import service as submissions
from grading.submissions.access import learner_may_see
from grading.submissions.models import Submission
from grading.submissions.service import Limits
from grading.teams import service as teams
from grading.teams.models import Team


@dataclass
class ReleasedGrade:
    """What the student sees once a grade is released: the score and the employer's words."""

    release: GradeRelease
    review: Review | None

    @property
    def feedback_html(self) -> Markup:
        return render(self.release.feedback_md)


@dataclass
class StudentPage:
    placement: Placement
    info: ProjectInfo
    person: Person
    participation: Participation | None
    consent: Consent | None
    team: Team | None
    open_teams: list[Team]
    milestones: Sequence[Milestone]
    check_ins: dict[int, CheckIn]
    attempts: Sequence[Submission]
    blocked: str | None
    outcome: ReleasedGrade | None
    hours: Sequence[HoursEntry]
    limits: Limits
    work_shared: bool = False
    """Every member lets the employer see the work; otherwise the instructor grades it."""
    brief_html: Markup = field(default_factory=Markup)

    @property
    def started(self) -> bool:
        return self.participation is not None and self.participation.started_at is not None

    @property
    def uses_teams(self) -> bool:
        return teams.uses_teams(self.placement)

    @property
    def can_submit(self) -> bool:
        return self.started and self.blocked is None and (not self.uses_teams or self.team is not None)

    @property
    def hours_total(self) -> Decimal:
        return sum((entry.hours for entry in self.hours), Decimal(0))


def student_page(
    session: Session, *, placement: Placement, person: Person, limits: Limits, now: datetime
) -> StudentPage:
    info = project_info(session, placement)
    team = teams.team_of(session, placement_id=placement.id, person_id=person.id)
    key = _owner_key(session, placement, person, team)
    # The team's attempts made for this learner: not those from before they joined (L7).
    attempts = [a for a in submissions.attempts(session, placement_id=placement.id, key=key)
                if learner_may_see(session, submission=a, person_id=person.id)] if key else []
    milestones = milestones_service.milestones(session, placement_id=placement.id)
    mine = {m: c for (m, p), c in milestones_service.check_ins(session, placement_id=placement.id).items()
            if p == person.id}
    return StudentPage(
        placement=placement, info=info, person=person,
        participation=consent.participation(session, placement_id=placement.id, person_id=person.id),
        consent=consent.current(session, placement_id=placement.id, person_id=person.id),
        team=team,
        open_teams=[t for t in teams.teams(session, placement_id=placement.id)
                    if t.open and len(t.members) < placement.team_size] if team is None else [],
        milestones=milestones, check_ins=mine, attempts=attempts,
        blocked=submissions.why_no_attempt(session, placement=placement, key=key, now=now) if key else None,
        outcome=_outcome(session, attempts), hours=milestones_service.hours_for(
            session, placement_id=placement.id, person_id=person.id),
        limits=limits,
        work_shared=_shared(session, placement, person, team),
        brief_html=render(info.revision.brief_md) if info.revision else Markup(""),
    )


def _shared(session: Session, placement: Placement, person: Person, team: Team | None) -> bool:
    members = [m.person_id for m in team.members] if team is not None else [person.id]
    sharing = consent.work_shared(session, placement_id=placement.id, person_ids=members)
    return all(i in sharing for i in members)


def _owner_key(session: Session, placement: Placement, person: Person, team: Team | None) -> str | None:
    if teams.uses_teams(placement):
        return f"team:{team.id}" if team is not None else None
    return f"person:{person.id}"


def _outcome(session: Session, attempts: Sequence[Submission]) -> ReleasedGrade | None:
    for submission in attempts:
        release = latest_release(session, submission_id=submission.id)
        if release is not None:
            return ReleasedGrade(release, review_of(session, submission_id=submission.id))
    return None
