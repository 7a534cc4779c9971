"""Moderation and release: what the student sees and the gradebook receives.

Per placement, the employer's final review is released at once (automatic) or waits for the
instructor, who may adjust the score with a reason (kept for the record). The score sent is
the rubric total scaled to the line item's scoreMaximum; the AGS comment is the employer's
feedback, trimmed, then where the full review is: the activity in the course. (No URL: a
link in a gradebook comment is opened outside any launch, where Microbridge cannot know who
is asking, so it could only show "open Microbridge from your course" or expose the work.)
Releasing writes the grade and its outbox rows (one per member) in the caller's transaction;
releasing the same grade again writes nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.orm import Session, make_transient_to_detached

from catalog.markdown import plain_text
from config.database import utcnow
from config.forms import FieldError
from config.web import NotFound, UserFacingError
from grading.consent import service as consent
from grading.passback import service as passback
from grading.people.models import Person
from grading.placements.models import Placement, ReleaseMode
from grading.reviews import events, notices
from grading.reviews.models import GradeRelease, ReleaseSource, Review
from grading.reviews.records import (
    latest_releases,
    review_due_at,
    review_of,
    reviews_of,
)
from grading.submissions.access import member_ids
from grading.submissions.models import Submission
from grading.submissions.service import latest_per_owner
from grading.teams.models import Team

COMMENT_TEXT_LIMIT = 800
"""Characters of feedback in the AGS comment; Canvas and Moodle show comments in narrow boxes."""
SCORE_DECIMALS = 2
UNSHARED_STATUS = "You grade this one: the student did not share it with the employer"
UNSHARED_TEAM_STATUS = "You grade this one: a team member did not share it with the employer"


# What a release compares with the submission's latest one: only those columns, of the table
# (plain SQL, without the ORM's work per statement: a new grade is the common case), in a
# statement built once.
_RELEASES = GradeRelease.__table__
assert isinstance(_RELEASES, Table)
_LATEST_TERMS = (
    select(_RELEASES.c.id, _RELEASES.c.score_given, _RELEASES.c.comment,
           _RELEASES.c.adjustment_reason)
    .where(_RELEASES.c.submission_id == bindparam("submission_id"))
    .order_by(_RELEASES.c.id.desc())
    .limit(1)
)
_INSERT_RELEASE = insert(_RELEASES).returning(_RELEASES.c.id)


def grade_points(score: float) -> float:
    """The one rounding rule: a grade is kept, shown and sent to two decimals."""
    return round(float(score), SCORE_DECIMALS)


def scaled(points: float, possible: float, maximum: float) -> float:
    """The rubric total on the line item's scale."""
    if possible <= 0:
        return 0.0
    return grade_points(points / possible * maximum)


def ags_comment(feedback_md: str, activity_title: str) -> str:
    """The one comment rule: the feedback as plain text, cut short, then where the full review
    is: the activity, opened from the course, launches to the student's page that shows it.

    The outbox sends it as it is."""
    text = plain_text(feedback_md, limit=COMMENT_TEXT_LIMIT) if feedback_md else ""
    tail = f"Full review: open “{activity_title}” in your course."
    return f"{text}\n\n{tail}" if text else tail


def submission_in(session: Session, *, placement: Placement, submission_id: int) -> Submission:
    submission = session.get(Submission, submission_id)
    if submission is None or submission.placement_id != placement.id:
        raise NotFound("There is no such submission in this activity.", title="Not found")
    return submission


def release(
    session: Session, *, submission: Submission, placement: Placement, source: ReleaseSource,
    score_given: float, feedback_md: str, rubric_score: float | None = None,
    adjustment_reason: str = "", review_id: int | None = None, released_by_id: int | None = None,
) -> GradeRelease:
    """Make a grade visible and queue it for the gradebook; the same grade twice sends nothing."""
    score_given = grade_points(score_given)
    comment = ags_comment(feedback_md, placement.title)
    session.flush()  # what an ORM query would do first: the read below is plain SQL
    latest = session.execute(_LATEST_TERMS, {"submission_id": submission.id}).first()
    if (
        latest is not None and abs(latest.score_given - score_given) < 1e-9
        and latest.comment == comment and latest.adjustment_reason == adjustment_reason
    ):
        same = session.get(GradeRelease, latest.id)
        assert same is not None
        return same
    now = utcnow()
    values = {
        "submission_id": submission.id, "placement_id": placement.id, "review_id": review_id,
        "source": source.value, "score_given": score_given,
        "score_maximum": placement.score_maximum, "rubric_score": rubric_score,
        "adjustment_reason": adjustment_reason.strip(), "feedback_md": feedback_md,
        "comment": comment, "released_by_id": released_by_id, "released_at": now,
        "created_at": now,
    }
    # Written by a Core insert (a flush of one new object costs several times as much), then
    # the entity is put in the session as the row now stands: every column known, no reload.
    grade = GradeRelease(id=session.execute(_INSERT_RELEASE, values).scalar_one(), **values)
    make_transient_to_detached(grade)
    session.add(grade)
    members = notices.addressees(session, placement=placement,
                                 person_ids=member_ids(session, submission))
    for member in members:
        passback.enqueue_release(
            session, placement=placement, person_id=member.person_id,
            platform_id=member.platform_id, user_sub=member.sub, release_id=grade.id,
            score_given=score_given, score_maximum=placement.score_maximum, comment=comment,
            submission_id=submission.id,
        )
    notices.feedback_released(session, placement=placement, release_id=grade.id,
                              members=members)
    events.grade_released(session, events.GradeReleased(
        release_id=grade.id, placement_id=placement.id, person_ids=[m.person_id for m in members],
        score_given=score_given, score_maximum=placement.score_maximum,
        released_at=grade.released_at))
    return grade


def after_final_review(
    session: Session, *, review: Review, placement: Placement
) -> GradeRelease | None:
    """Release at once when the placement says so; otherwise it waits for the instructor,
    who is told."""
    if not review.is_final:
        return None
    if placement.release_mode != ReleaseMode.AUTOMATIC.value:
        notices.grade_awaits_approval(session, placement=placement,
                                      submission_id=review.submission_id, review_id=review.id)
        return None
    score = scaled(review.points, review.points_possible, placement.score_maximum)
    return release(
        session, submission=review.submission, placement=placement, source=ReleaseSource.EMPLOYER,
        score_given=score, rubric_score=score, feedback_md=review.feedback_md, review_id=review.id,
    )


def _check_score(score: float, placement: Placement) -> float:
    if not 0 <= score <= placement.score_maximum:
        raise FieldError({"score": f"The score must be between 0 and {placement.score_maximum:g}."},
                         title="Score out of range")
    return grade_points(score)


def approve(
    session: Session, *, placement: Placement, submission_id: int, instructor_id: int,
    score: float | None = None, reason: str = "",
) -> GradeRelease:
    """The instructor releases the employer's final review, as is or adjusted with a reason."""
    submission = submission_in(session, placement=placement, submission_id=submission_id)
    review = review_of(session, submission_id=submission.id)
    if review is None or not review.is_final:
        raise UserFacingError("The employer has not submitted a final review of this work yet.",
                              title="Nothing to approve", status=409)
    rubric_score = scaled(review.points, review.points_possible, placement.score_maximum)
    given = rubric_score if score is None else _check_score(score, placement)
    adjusted = abs(given - rubric_score) > 1e-9
    if adjusted and not reason.strip():
        raise FieldError({"reason": "Say why you changed the employer's score; the reason is kept."},
                         title="Reason needed")
    return release(
        session, submission=submission, placement=placement, source=ReleaseSource.EMPLOYER,
        score_given=given, rubric_score=rubric_score, feedback_md=review.feedback_md,
        adjustment_reason=reason.strip() if adjusted else "", review_id=review.id,
        released_by_id=instructor_id,
    )


def grade_by_instructor(
    session: Session, *, placement: Placement, submission_id: int, instructor_id: int,
    score: float, feedback_md: str,
) -> GradeRelease:
    """The instructor grades the work themselves (the employer missed the deadline, say)."""
    submission = submission_in(session, placement=placement, submission_id=submission_id)
    review = review_of(session, submission_id=submission.id)
    if review is not None and review.is_final:
        raise UserFacingError(
            "The employer has reviewed this work: approve (and adjust) their review instead.",
            title="Employer review exists", status=409,
        )
    if not feedback_md.strip():
        raise FieldError({"feedback": "Write some feedback for the student."}, title="Feedback needed")
    if submission.review_started_at is None:  # graded: the attempt can no longer change
        submission.review_started_at = utcnow()
    return release(
        session, submission=submission, placement=placement, source=ReleaseSource.INSTRUCTOR,
        score_given=_check_score(score, placement), feedback_md=feedback_md.strip(),
        released_by_id=instructor_id,
    )


@dataclass(frozen=True)
class ModerationRow:
    submission: Submission
    review: Review | None
    release: GradeRelease | None
    due_at: datetime
    overdue: bool
    status: str
    shared: bool = True
    """Every member lets the employer see the work; otherwise the instructor grades it."""

    @property
    def instructor_grades(self) -> bool:
        """Nobody but the instructor can grade this attempt (unshared, or the employer is late)."""
        final = self.review is not None and self.review.is_final
        return self.release is None and not final and (not self.shared or self.overdue)

    @property
    def rubric_score(self) -> float | None:
        return None if self.review is None or not self.review.is_final else self.review.points


def moderation(
    session: Session, *, placement: Placement, review_days: int, now: datetime | None = None
) -> list[ModerationRow]:
    """Every learner's or team's latest attempt with its review and release status.

    Five queries however many learners: the attempts, their reviews, their releases, and who
    shares their work with the employer (participations, consents). Work a member did not
    share is the instructor's to grade from the start: the employer never sees it."""
    now = now or utcnow()
    latest = latest_per_owner(session, placement_id=placement.id)
    ids = [submission.id for submission in latest]
    reviews = reviews_of(session, submission_ids=ids)
    grades = latest_releases(session, submission_ids=ids)
    sharing = consent.work_shared(session, placement_id=placement.id, person_ids=sorted(
        {i for submission in latest for i in member_ids(session, submission)}
    ))
    rows = []
    for submission in latest:
        review = reviews.get(submission.id)
        grade = grades.get(submission.id)
        due = review_due_at(submission, review_days=review_days)
        final = review is not None and review.is_final
        members = member_ids(session, submission)
        shared = bool(members) and all(i in sharing for i in members)
        overdue = shared and not final and grade is None and now > due
        if grade is not None:
            status = "Released"
        elif final:
            status = "Waiting for your approval"
        elif not shared:
            status = UNSHARED_STATUS if len(members) <= 1 else UNSHARED_TEAM_STATUS
        elif overdue:
            status = "Employer review overdue"
        elif review is not None:
            status = "Employer is reviewing (draft)"
        else:
            status = "Waiting for the employer"
        rows.append(ModerationRow(submission, review, grade, due, overdue, status, shared))
    return rows


def yours_to_grade(session: Session, *, placement: Placement, review_days: int) -> int:
    """How many attempts only the instructor can grade now: unshared, or the employer is late."""
    return sum(1 for row in moderation(session, placement=placement, review_days=review_days)
               if row.instructor_grades)


def owner_names(session: Session, items: list[Submission]) -> dict[int, str]:
    """Who each submission is by, for the instructor: the team's name, or the learner's."""
    people = {p.id: p for p in session.scalars(
        select(Person).where(Person.id.in_({i for s in items for i in member_ids(session, s)}))
    )}
    # Loaded together, so each ``submission.team`` below comes from the session, not a query.
    team_ids = {s.team_id for s in items if s.team_id}
    if team_ids:
        session.scalars(select(Team).where(Team.id.in_(team_ids))).all()
    names: dict[int, str] = {}
    for submission in items:
        members = ", ".join(people[i].display_name() for i in member_ids(session, submission)
                            if i in people)
        names[submission.id] = f"{submission.team.name}: {members}" if submission.team else members
    return names
