"""Where each learner of a placement stands, for the instructor's dashboard and its CSV.

The roster (NRPS, cached per placement) says who should take part; the work tables say how
far each got. Every read of another package's table is one small function below, so the
dashboard keeps working when one of them changes shape. A learner's stage is the furthest
one reached:

    not started -> started -> consented -> in team -> submitted -> under review -> reviewed
    -> approved (grade released) -> grade synced | grade failed

Learners whose enrolment is Inactive or Deleted (NRPS status) are shown as inactive and never
counted as missing work (LTI-NOTES pitfall 26).
"""

from __future__ import annotations

import csv
import enum
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from config.spreadsheets import safe_cell
from grading.consent.models import Consent, Participation
from grading.passback.models import OutboxKind, OutboxState, ScoreOutbox
from grading.people.models import Person
from grading.placements.models import Placement, RosterMember
from grading.reviews.models import GradeRelease, Review, ReviewState
from grading.submissions.models import Submission
from grading.teams.models import Team, TeamMember


class Stage(enum.IntEnum):
    NOT_STARTED = 0
    STARTED = 1
    CONSENTED = 2
    IN_TEAM = 3
    SUBMITTED = 4
    UNDER_REVIEW = 5
    REVIEWED = 6
    APPROVED = 7
    GRADE_SYNCED = 8
    GRADE_FAILED = 9

    @property
    def slug(self) -> str:
        return self.name.lower()

    @property
    def label(self) -> str:
        return {
            "not_started": "Not started", "started": "Started", "consented": "Consented",
            "in_team": "In a team", "submitted": "Submitted", "under_review": "Under review",
            "reviewed": "Reviewed", "approved": "Grade released", "grade_synced": "Grade in LMS",
            "grade_failed": "Grade not accepted by LMS",
        }[self.slug]

    @property
    def badge(self) -> str:
        if self is Stage.GRADE_FAILED:
            return "badge-danger"
        if self in (Stage.GRADE_SYNCED, Stage.APPROVED):
            return "badge-ok"
        if self in (Stage.REVIEWED, Stage.SUBMITTED, Stage.UNDER_REVIEW):
            return "badge-warn"
        return ""


@dataclass(frozen=True)
class LearnerState:
    user_sub: str
    name: str
    email: str
    person_id: int | None
    status: str = "Active"
    """NRPS enrolment status: Active, Inactive or Deleted."""
    in_roster: bool = True
    stage: Stage = Stage.NOT_STARTED
    team: str = ""
    attempt: int | None = None
    submitted_at: datetime | None = None
    late: bool = False
    late_by: str = ""
    score: float | None = None
    score_maximum: float | None = None
    grade_note: str = ""
    """The LMS's words when it refused the grade, or that it is on its way."""

    @property
    def active(self) -> bool:
        return self.status == "Active"


@dataclass
class _Work:
    """What the work tables say about one person."""

    stage: Stage = Stage.NOT_STARTED
    team: str = ""
    submission: Submission | None = None
    release: GradeRelease | None = None
    outbox: ScoreOutbox | None = None
    extra: dict[str, str] = field(default_factory=dict)


def learner_states(session: Session, placement: Placement) -> list[LearnerState]:
    """Every learner of the placement (cached roster, plus anyone who already took part)."""
    people = _roster_people(session, placement)
    work = _work_by_person(session, placement.id)
    known = {state.person_id for state in people if state.person_id is not None}
    people.extend(_people_not_in_roster(session, placement, set(work) - known))
    return [_with_work(state, work.get(state.person_id or -1)) for state in people]


def _roster_people(session: Session, placement: Placement) -> list[LearnerState]:
    rows = session.execute(
        select(RosterMember, Person.id)
        .outerjoin(
            Person,
            and_(Person.platform_id == placement.course.platform_id,
                 Person.sub == RosterMember.user_sub),
        )
        .where(RosterMember.placement_id == placement.id, RosterMember.is_learner.is_(True))
        .order_by(RosterMember.position)
    ).all()
    return [
        LearnerState(user_sub=m.user_sub, name=m.display_name(), email=m.email,
                     person_id=person_id, status=m.status)
        for m, person_id in rows
    ]


def _people_not_in_roster(session: Session, placement: Placement, ids: set[int]) -> list[LearnerState]:
    if not ids:
        return []
    persons = session.scalars(select(Person).where(Person.id.in_(ids)).order_by(Person.id))
    return [
        LearnerState(user_sub=p.sub, name=p.display_name(), email=p.email, person_id=p.id,
                     in_roster=False)
        for p in persons
    ]


def _with_work(state: LearnerState, work: _Work | None) -> LearnerState:
    if work is None:
        return state
    submission, release, outbox = work.submission, work.release, work.outbox
    return replace(
        state,
        stage=work.stage,
        team=work.team,
        attempt=submission.attempt if submission else None,
        submitted_at=submission.submitted_at if submission else None,
        late=bool(submission and submission.is_late),
        late_by=submission.late_by if submission else "",
        score=release.score_given if release else None,
        score_maximum=release.score_maximum if release else None,
        grade_note=_grade_note(outbox),
    )


def _grade_note(outbox: ScoreOutbox | None) -> str:
    if outbox is None:
        return ""
    if outbox.state in (OutboxState.FAILED.value, OutboxState.DEAD.value):
        return outbox.last_error or outbox.state_label
    if outbox.state != OutboxState.SENT.value:
        return outbox.state_label
    return ""


# -- what the work tables hold, per person ------------------------------------------------


def _work_by_person(session: Session, placement_id: int) -> dict[int, _Work]:
    work: dict[int, _Work] = {}

    def at_least(person_id: int, stage: Stage) -> _Work:
        entry = work.setdefault(person_id, _Work())
        entry.stage = max(entry.stage, stage)
        return entry

    for person_id in _participants(session, placement_id):
        at_least(person_id, Stage.STARTED)
    for person_id in _consented(session, placement_id):
        at_least(person_id, Stage.CONSENTED)
    for person_id, team in _teams(session, placement_id).items():
        at_least(person_id, Stage.IN_TEAM).team = team
    reviews = _reviews(session, placement_id)
    releases = _releases(session, placement_id)
    for submission, person_ids in _latest_submissions(session, placement_id):
        stage = _submission_stage(submission, reviews.get(submission.id), releases.get(submission.id))
        for person_id in person_ids:
            entry = at_least(person_id, stage)
            entry.submission = submission
            entry.release = releases.get(submission.id)
    for person_id, row in _grade_outbox(session, placement_id).items():
        released = work.get(person_id)
        if released is None or released.release is None:
            continue
        entry = released
        entry.outbox = row
        if row.state == OutboxState.SENT.value:
            entry.stage = max(entry.stage, Stage.GRADE_SYNCED)
        elif row.state in (OutboxState.FAILED.value, OutboxState.DEAD.value):
            entry.stage = max(entry.stage, Stage.GRADE_FAILED)
    return work


def _submission_stage(submission: Submission, review: Review | None,
                      release: GradeRelease | None) -> Stage:
    if release is not None:
        return Stage.APPROVED
    if review is not None and review.state == ReviewState.FINAL.value:
        return Stage.REVIEWED
    if review is not None or submission.review_started_at is not None:
        return Stage.UNDER_REVIEW
    return Stage.SUBMITTED


def _participants(session: Session, placement_id: int) -> Sequence[int]:
    return session.scalars(
        select(Participation.person_id).where(Participation.placement_id == placement_id)
    ).all()


def _consented(session: Session, placement_id: int) -> Sequence[int]:
    return session.scalars(
        select(Consent.person_id).where(
            Consent.placement_id == placement_id, Consent.withdrawn_at.is_(None)
        )
    ).all()


def _teams(session: Session, placement_id: int) -> dict[int, str]:
    rows = session.execute(
        select(TeamMember.person_id, Team.name)
        .join(Team, Team.id == TeamMember.team_id)
        .where(TeamMember.placement_id == placement_id)
    ).all()
    return {int(person_id): str(name) for person_id, name in rows}


def _latest_submissions(session: Session, placement_id: int) -> list[tuple[Submission, list[int]]]:
    """Each owner's (person's or team's) latest attempt, and the people it counts for."""
    latest: dict[str, Submission] = {}
    for sub in session.scalars(
        select(Submission).where(Submission.placement_id == placement_id).order_by(Submission.attempt)
    ):
        latest[sub.owner_key] = sub
    found = []
    for sub in latest.values():
        people = {int(i) for i in (sub.member_ids or [])}
        if sub.person_id is not None:
            people.add(sub.person_id)
        found.append((sub, sorted(people)))
    return found


def _reviews(session: Session, placement_id: int) -> dict[int, Review]:
    return {r.submission_id: r for r in session.scalars(
        select(Review).where(Review.placement_id == placement_id))}


def _releases(session: Session, placement_id: int) -> dict[int, GradeRelease]:
    releases: dict[int, GradeRelease] = {}
    for release in session.scalars(
        select(GradeRelease).where(GradeRelease.placement_id == placement_id)
        .order_by(GradeRelease.released_at, GradeRelease.id)
    ):
        releases[release.submission_id] = release  # the newest release wins
    return releases


def _grade_outbox(session: Session, placement_id: int) -> dict[int, ScoreOutbox]:
    rows: dict[int, ScoreOutbox] = {}
    for row in session.scalars(
        select(ScoreOutbox)
        .where(ScoreOutbox.placement_id == placement_id, ScoreOutbox.kind == OutboxKind.GRADE.value,
               ScoreOutbox.state != OutboxState.SUPERSEDED.value)
        .order_by(ScoreOutbox.timestamp, ScoreOutbox.id)
    ):
        rows[row.person_id] = row  # the newest grade for each person
    return rows


# -- filters, counts and the CSV export ---------------------------------------------------


@dataclass(frozen=True)
class Filters:
    stage: Stage | None = None
    query: str = ""
    include_inactive: bool = True
    late_only: bool = False

    @classmethod
    def from_args(cls, args: dict[str, str]) -> Filters:
        stage = next((s for s in Stage if s.slug == args.get("stage", "")), None)
        return cls(
            stage=stage,
            query=args.get("q", "").strip()[:100],
            include_inactive=args.get("inactive", "show") != "hide",
            late_only=args.get("late") == "on",
        )


def apply_filters(states: Iterable[LearnerState], filters: Filters) -> list[LearnerState]:
    words = filters.query.lower().split()
    found = []
    for state in states:
        if filters.stage is not None and (state.stage != filters.stage or not state.active):
            continue
        if not filters.include_inactive and not state.active:
            continue
        if filters.late_only and not state.late:
            continue
        text = f"{state.name} {state.email} {state.user_sub}".lower()
        if words and not all(word in text for word in words):
            continue
        found.append(state)
    return found


def stage_counts(states: Iterable[LearnerState]) -> dict[Stage, int]:
    """How many active learners are at each stage (inactive ones owe no work)."""
    counts = dict.fromkeys(Stage, 0)
    for state in states:
        if state.active:
            counts[state.stage] += 1
    return counts


CSV_COLUMNS = ("name", "email", "lms_user_id", "enrolment", "stage", "team", "attempt",
               "submitted_at", "late", "late_by", "score", "score_maximum", "grade_note")


def to_csv(states: Iterable[LearnerState]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for s in states:
        writer.writerow([
            _safe(s.name), _safe(s.email), _safe(s.user_sub), s.status, s.stage.label, _safe(s.team),
            s.attempt or "", s.submitted_at.isoformat() if s.submitted_at else "",
            "yes" if s.late else "", s.late_by,
            "" if s.score is None else f"{s.score:g}",
            "" if s.score_maximum is None else f"{s.score_maximum:g}", _safe(s.grade_note),
        ])
    return out.getvalue()


def _safe(value: str) -> str:
    return safe_cell(value)  # the one guard every CSV export uses (config/spreadsheets.py)


PAGE_SIZE = 50


@dataclass(frozen=True)
class LearnerPage:
    """One page of the learner table: a course of 500 stays a page a browser loads at once."""

    items: list[LearnerState]
    number: int
    pages: int
    matching: int

    @property
    def first_index(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1 if self.items else 0

    @property
    def last_index(self) -> int:
        return self.first_index + len(self.items) - 1 if self.items else 0


def page_of(states: list[LearnerState], requested: str) -> LearnerPage:
    """The requested page (1-based, as typed in the URL), clamped to the pages there are."""
    pages = max(1, -(-len(states) // PAGE_SIZE))
    number = int(requested) if requested.isdigit() else 1
    number = min(max(number, 1), pages)
    start = (number - 1) * PAGE_SIZE
    return LearnerPage(states[start:start + PAGE_SIZE], number, pages, len(states))
