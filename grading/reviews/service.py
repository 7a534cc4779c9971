"""Employer reviews: drafts, the final review, and what instructors and curators learn of them.

A review scores each rubric criterion (one level each), carries feedback for the student,
may endorse skills the work showed and says whether the employer would recommend the
student. It stays a draft until submitted as final; from then on it does not change. Opening
a draft ends the student's chance to resubmit (``Submission.review_started_at``).
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from catalog.employers.models import EmployerMember, EmployerOrg
from catalog.projects.models import Project, ProjectOffer, ProjectRevision, RubricCriterion
from config.database import utcnow
from config.forms import FieldError
from config.web import NotFound, UserFacingError
from grading.consent import service as consent
from grading.consent.service import MemberView
from grading.people.models import Person
from grading.placements.catalog_project import employer_id_of
from grading.placements.models import Placement
from grading.reviews import release
from grading.reviews.models import GradeRelease, Review, ReviewState
from grading.reviews.records import latest_release, review_due_at, review_of, reviews_of
from grading.submissions.access import member_ids
from grading.submissions.models import Submission
from grading.submissions.service import latest_per_owner_in

FEEDBACK_LIMIT = 20_000


def rubric(session: Session, placement: Placement) -> Sequence[RubricCriterion]:
    revision = session.get(
        ProjectRevision, placement.project_revision_id,
        options=[selectinload(ProjectRevision.criteria).selectinload(RubricCriterion.levels)],
    )
    return revision.criteria if revision is not None else []


# -- what an employer sees -----------------------------------------------------------------


@dataclass(frozen=True)
class EmployerSubmission:
    """One submission as the employer may see it, right now (consent is asked each time)."""

    submission: Submission
    placement: Placement
    members: list[MemberView]
    review: Review | None
    due_at: datetime

    @property
    def work_visible(self) -> bool:
        """Every member allows it: with consent, or by sharing anonymously."""
        return bool(self.members) and all(m.work_allowed for m in self.members)

    @property
    def label(self) -> str:
        return ", ".join(m.label for m in self.members)

    @property
    def identified(self) -> bool:
        return any(m.identified for m in self.members)


def _employer_placements(session: Session, employer_id: int) -> Sequence[Placement]:
    return session.scalars(
        select(Placement)
        .join(ProjectRevision, ProjectRevision.id == Placement.project_revision_id)
        .join(Project, Project.id == ProjectRevision.project_id)
        .where(Project.employer_id == employer_id)
        .order_by(Placement.id)
    ).all()


def employer_view(
    session: Session, *, submission: Submission, placement: Placement, review_days: int
) -> EmployerSubmission:
    members = [
        consent.member_view(session, placement=placement, person=person)
        for person in _people(session, member_ids(session, submission))
    ]
    return EmployerSubmission(
        submission, placement, members, review_of(session, submission_id=submission.id),
        review_due_at(submission, review_days=review_days),
    )


def _people(session: Session, ids: Sequence[int]) -> list[Person]:
    found = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def inbox(session: Session, *, employer_id: int, review_days: int) -> list[EmployerSubmission]:
    """The latest attempt of every student or team on this employer's projects.

    A fixed number of queries however many submissions: placements, attempts (and their
    files), people, participations, consents, reviews; each student's consent is still read
    afresh on every visit.
    """
    placements = {p.id: p for p in _employer_placements(session, employer_id)}
    latest = latest_per_owner_in(session, placement_ids=list(placements))
    owners = {s.id: member_ids(session, s) for s in latest}
    people = {p.id: p for p in _people(session, sorted({i for ids in owners.values() for i in ids}))}
    views = consent.member_views(session, pairs=[
        (placements[s.placement_id], people[i]) for s in latest for i in owners[s.id] if i in people
    ])
    reviews = reviews_of(session, submission_ids=[s.id for s in latest])
    return [
        EmployerSubmission(
            submission, placements[submission.placement_id],
            [views[(submission.placement_id, i)] for i in owners[submission.id] if i in people],
            reviews.get(submission.id), review_due_at(submission, review_days=review_days),
        )
        for submission in latest
    ]


def for_employer(
    session: Session, *, employer_id: int, submission_id: int, review_days: int
) -> EmployerSubmission:
    """One submission, only if it was made to this employer's project."""
    submission = session.get(Submission, submission_id)
    placement = session.get(Placement, submission.placement_id) if submission else None
    if submission is None or placement is None or employer_id_of(session, placement) != employer_id:
        raise NotFound("There is no such submission to your organisation's projects.",
                       title="Submission not found")
    return employer_view(session, submission=submission, placement=placement, review_days=review_days)


# -- writing a review ----------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewInput:
    levels: Mapping[int, int]
    """Chosen level id per criterion id."""
    feedback_md: str
    endorsed_skills: Sequence[str]
    recommend: bool | None


def start(session: Session, *, item: EmployerSubmission, member: EmployerMember) -> Review:
    """The employer's draft for this submission, opened the first time; no more resubmissions."""
    _require_visible(item)
    if item.review is not None:
        return item.review
    review = Review(
        submission_id=item.submission.id, placement_id=item.placement.id,
        employer_id=member.employer_id, reviewer_id=member.id, reviewer_label=member.display_name(),
        state=ReviewState.DRAFT.value,
    )
    session.add(review)
    if item.submission.review_started_at is None:
        item.submission.review_started_at = utcnow()
    session.flush()
    return review


def _require_visible(item: EmployerSubmission) -> None:
    if not item.work_visible:
        raise UserFacingError(
            "The student has not shared this work with your organisation.",
            title="Work not shared", status=403,
            hint="The course's instructor will grade it instead.",
        )


def submit_review(
    session: Session, *, item: EmployerSubmission, member: EmployerMember, data: ReviewInput,
    final: bool,
) -> Review:
    """Save the employer's draft, or submit it as final.

    A final review goes to the student and the gradebook at once when the placement
    releases automatically; otherwise it waits for the instructor (``release``).
    """
    review = save(session, item=item, member=member, data=data, final=final)
    if review.is_final:
        release.after_final_review(session, review=review, placement=item.placement)
    return review


def save(
    session: Session, *, item: EmployerSubmission, member: EmployerMember, data: ReviewInput,
    final: bool,
) -> Review:
    """Save the draft, or make it final (then every criterion must be scored)."""
    review = start(session, item=item, member=member)
    if review.is_final:
        raise UserFacingError("This review was submitted as final and can no longer change.",
                              title="Review already final", status=409)
    criteria = rubric(session, item.placement)
    scores, points, possible = _score(criteria, data.levels)
    if final:
        _require_complete(criteria, scores, data)
    revision = session.get(ProjectRevision, item.placement.project_revision_id)
    allowed_skills = {s.slug for s in revision.skills} if revision is not None else set()
    review.scores = scores
    review.points, review.points_possible = points, possible
    review.feedback_md = data.feedback_md.strip()[:FEEDBACK_LIMIT]
    review.endorsed_skills = [s for s in data.endorsed_skills if s in allowed_skills]
    review.recommend = data.recommend
    review.reviewer_id, review.reviewer_label = member.id, member.display_name()
    if final:
        review.state = ReviewState.FINAL.value
        review.finalized_at = utcnow()
    session.flush()
    return review


def _require_complete(
    criteria: Sequence[RubricCriterion], scores: Mapping[str, object], data: ReviewInput
) -> None:
    """A final review scores every criterion and says something to the student."""
    missing = {
        f"criterion-{c.id}": f"Choose a level for “{c.title}” before submitting."
        for c in criteria if str(c.id) not in scores
    }
    if not data.feedback_md.strip():
        missing["feedback"] = "Write some feedback for the student before submitting."
    if missing:
        raise FieldError(missing, title="Review incomplete")


def _score(
    criteria: Sequence[RubricCriterion], levels: Mapping[int, int]
) -> tuple[dict[str, dict[str, int]], float, float]:
    scores: dict[str, dict[str, int]] = {}
    points = 0.0
    for criterion in criteria:
        chosen = levels.get(criterion.id)
        if chosen is None:
            continue
        level = next((lv for lv in criterion.levels if lv.id == chosen), None)
        if level is None:
            raise FieldError({f"criterion-{criterion.id}":
                              f"Choose one of the levels for “{criterion.title}”."})
        scores[str(criterion.id)] = {"level_id": level.id, "points": level.points}
        points += level.points
    possible = float(sum(c.max_points for c in criteria))
    return scores, points, possible


def outcome_for_employer(session: Session, item: EmployerSubmission) -> GradeRelease | None:
    """The released grade, shown to the employer only if every member consented to that."""
    if not item.members or not all(m.feedback_allowed for m in item.members):
        return None
    return latest_release(session, submission_id=item.submission.id)


# -- what instructors and curators learn ---------------------------------------------------


def median_feedback_days(session: Session, *, employer_ids: Sequence[int]) -> dict[int, float | None]:
    """Median days from submission to the final review, per employer (None: no reviews yet)."""
    rows = session.execute(
        select(Review.employer_id, Review.finalized_at, Submission.submitted_at)
        .join(Submission, Submission.id == Review.submission_id)
        .where(Review.employer_id.in_(employer_ids), Review.finalized_at.is_not(None))
    ).all()
    spans: dict[int, list[float]] = {}
    for employer_id, finalized_at, submitted_at in rows:
        if finalized_at is None:
            continue
        spans.setdefault(employer_id, []).append(
            (finalized_at - submitted_at).total_seconds() / 86400
        )
    return {
        employer_id: round(statistics.median(spans[employer_id]), 1) if employer_id in spans else None
        for employer_id in employer_ids
    }


def review_counts(session: Session, *, employer_id: int) -> dict[str, int]:
    counts = dict(session.execute(
        select(Review.state, func.count()).where(Review.employer_id == employer_id)
        .group_by(Review.state)
    ).all())
    return {state.value: int(counts.get(state.value, 0)) for state in ReviewState}


@dataclass(frozen=True)
class FeedbackTime:
    employer_id: int
    employer_name: str
    median_days: float | None
    reviewed: int
    drafts: int


def feedback_times(session: Session, *, institution_id: int | None) -> list[FeedbackTime]:
    """The employers that offered this institution a project and have reviewed work, with their
    median days to a final review. Other institutions' employers are not named."""
    if institution_id is None:
        return []
    offering = select(Project.employer_id).join(ProjectOffer, ProjectOffer.project_id == Project.id) \
        .where(ProjectOffer.institution_id == institution_id)
    ids = list(session.scalars(
        select(Review.employer_id).where(Review.employer_id.in_(offering)).distinct()
    ))
    medians = median_feedback_days(session, employer_ids=ids)
    names = dict(session.execute(
        select(EmployerOrg.id, EmployerOrg.name).where(EmployerOrg.id.in_(ids))
    ).all())
    rows = []
    for employer_id in ids:
        counts = review_counts(session, employer_id=employer_id)
        rows.append(FeedbackTime(employer_id, str(names.get(employer_id, "(removed)")),
                                 medians[employer_id], counts["final"], counts["draft"]))
    return sorted(rows, key=lambda r: r.employer_name.lower())
