"""Credit on a placement: the instructor's settings, verified hours, the student's reflection,
and each student's standing against the institution's policy.

Service functions flush, never commit; views own the transaction. Hours are verified by
someone who saw the work (the employer in the review, or the instructor); a new verification
that changes the total reopens a recommendation or approval (grading.credit.approval).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from catalog.credit_office.service import Policy
from catalog.markdown import render
from config.web import NotFound, UserFacingError
from grading.consent.service import MemberView
from grading.credit import rules
from grading.credit.models import (
    CreditRecord,
    CreditState,
    HoursVerification,
    PlacementCredit,
    Reflection,
    VerifierKind,
)
from grading.milestones.models import HoursEntry
from grading.people.models import Person
from grading.placements.catalog_project import project_info
from grading.placements.models import ACTIVE, Placement, RosterMember
from grading.reviews.models import GradeRelease
from grading.reviews.records import latest_releases
from grading.submissions.access import member_ids
from grading.submissions.models import Submission

REFLECTION_LIMIT = 5000
NOTE_LIMIT = 1000
MAX_PLACEMENT_CREDITS = Decimal("12")


class CreditRefused(UserFacingError):
    """A credit action that cannot happen in the record's current state (nothing was saved)."""

    status = 409


# -- the placement's settings ----------------------------------------------------------------


def settings_of(session: Session, *, placement_id: int) -> PlacementCredit | None:
    return session.scalar(select(PlacementCredit).where(PlacementCredit.placement_id == placement_id))


_PC = PlacementCredit.__table__
_BADGE_SWITCHES = select(_PC.c.badge_on_completion, _PC.c.credit_bearing).where(
    _PC.c.placement_id == bindparam("placement_id")
)


def badges_on_completion(session: Session, *, placement_id: int) -> bool:
    """The instructor turned completion badges on, for a placement without credit (asked on
    every release: two columns of the table, plain SQL, a statement built once)."""
    session.flush()  # what an ORM query would do first: the read below is plain SQL
    found = session.execute(_BADGE_SWITCHES, {"placement_id": placement_id}).first()
    return found is not None and found.badge_on_completion and not found.credit_bearing


def parse_credits(raw: str) -> Decimal | None:
    """Credits as typed: half steps from 0.5 to 12; None when not."""
    try:
        value = Decimal(raw.strip().replace(",", "."))
    except ArithmeticError:
        return None
    if not value.is_finite() or not Decimal("0.5") <= value <= MAX_PLACEMENT_CREDITS \
            or value % Decimal("0.5") != 0:
        return None
    return value.quantize(Decimal("0.1"))


def set_placement_credit(
    session: Session, *, placement: Placement, credit_bearing: bool, credits: Decimal | None,
    person_id: int, badge_on_completion: bool = False,
) -> PlacementCredit:
    """The instructor says whether the placement bears credit, and how many credits at most;
    or, for a placement without credit, whether completing it earns a badge."""
    if credit_bearing and credits is None:
        raise UserFacingError(
            f"Enter the credits the project can award, in half credits from 0.5 to "
            f"{MAX_PLACEMENT_CREDITS:g}.", title="Credits not understood")
    row = settings_of(session, placement_id=placement.id)
    if row is None:
        row = PlacementCredit(placement_id=placement.id)
        session.add(row)
    row.credit_bearing = credit_bearing
    row.badge_on_completion = badge_on_completion and not credit_bearing
    if credits is not None:
        row.credits = credits
    row.updated_by_id = person_id
    session.flush()
    return row


def estimated_credits(session: Session, *, placement: Placement, policy: Policy
                      ) -> tuple[int, Decimal] | None:
    """The project's estimated hours and what they would earn under the policy (a hint for
    the instructor choosing the placement's credits)."""
    revision = project_info(session, placement).revision
    if revision is None or not revision.estimated_hours:
        return None
    return revision.estimated_hours, rules.credits_for(
        verified_hours=Decimal(revision.estimated_hours), hours_per_credit=policy.hours_per_credit,
        most=MAX_PLACEMENT_CREDITS)


# -- hours ------------------------------------------------------------------------------------


def logged_hours(session: Session, *, placement_id: int, person_id: int) -> Decimal:
    total = session.scalar(
        select(func.coalesce(func.sum(HoursEntry.hours), 0)).where(
            HoursEntry.placement_id == placement_id, HoursEntry.person_id == person_id)
    )
    return Decimal(total or 0).quantize(Decimal("0.01"))


def latest_verification(
    session: Session, *, placement_id: int, person_id: int
) -> HoursVerification | None:
    return session.scalar(
        select(HoursVerification)
        .where(HoursVerification.placement_id == placement_id,
               HoursVerification.person_id == person_id)
        .order_by(HoursVerification.id.desc()).limit(1)
    )


def verifications(session: Session, *, placement_id: int, person_id: int) -> Sequence[HoursVerification]:
    return session.scalars(
        select(HoursVerification)
        .where(HoursVerification.placement_id == placement_id,
               HoursVerification.person_id == person_id)
        .order_by(HoursVerification.id)
    ).all()


def learner_in(session: Session, *, placement: Placement, person_id: int) -> Person:
    """A person who owes work in this placement: submitted for, logged hours, or on its roster."""
    person = session.get(Person, person_id)
    if person is None or not _takes_part(session, placement, person):
        raise NotFound("There is no such student in this activity.", title="Not found")
    return person


def _takes_part(session: Session, placement: Placement, person: Person) -> bool:
    submitted = any(person.id in member_ids(session, s) for s in _submissions(session, placement.id))
    if submitted:
        return True
    logged = session.scalar(select(HoursEntry.id).where(
        HoursEntry.placement_id == placement.id, HoursEntry.person_id == person.id).limit(1))
    return logged is not None


def verify_hours(
    session: Session, *, placement: Placement, person: Person, raw_hours: str, note: str,
    verifier_kind: VerifierKind, verifier_id: int | None, verifier_label: str,
) -> HoursVerification:
    """Confirm the logged total, or adjust it with a note; the newest verification counts."""
    hours = rules.parse_hours(raw_hours)
    if hours is None:
        raise UserFacingError("Enter the verified hours as a number, such as 42 or 42.5.",
                              title="Hours not understood")
    logged = logged_hours(session, placement_id=placement.id, person_id=person.id)
    note = note.strip()[:NOTE_LIMIT]
    if hours != logged and not note:
        raise UserFacingError(
            f"The student logged {rules.number(logged)} hours: say why the verified total differs.",
            title="Note needed")
    row = HoursVerification(
        placement_id=placement.id, person_id=person.id, logged_hours=logged,
        verified_hours=hours, note=note, verifier_kind=verifier_kind.value,
        verifier_id=verifier_id, verifier_label=verifier_label[:320],
    )
    session.add(row)
    session.flush()
    return row


# -- the reflection ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReflectionHtml:
    what_i_did: Markup
    skills_used: Markup
    what_i_learned: Markup


def reflection_of(session: Session, *, placement_id: int, person_id: int) -> Reflection | None:
    return session.scalar(select(Reflection).where(
        Reflection.placement_id == placement_id, Reflection.person_id == person_id))


def rendered(reflection: Reflection) -> ReflectionHtml:
    """The reflection as safe HTML (the catalog's sanitising Markdown)."""
    return ReflectionHtml(render(reflection.what_i_did_md), render(reflection.skills_used_md),
                          render(reflection.what_i_learned_md))


def save_reflection(
    session: Session, *, placement: Placement, person: Person, what_i_did: str,
    skills_used: str, what_i_learned: str,
) -> Reflection:
    """Hand in (or improve) the reflection: with or after the work, before credit is decided."""
    if not any(person.id in member_ids(session, s) for s in _submissions(session, placement.id)):
        raise CreditRefused("Hand in your work first: the reflection comes with or after the "
                            "final deliverable.", title="Work not handed in yet")
    record = record_of(session, placement_id=placement.id, person_id=person.id)
    if record is not None and record.credit_state in {CreditState.RECOMMENDED, CreditState.APPROVED}:
        raise CreditRefused("Your credit has been recommended, so your reflection can no longer "
                            "change.", title="Reflection locked")
    texts = [t.strip() for t in (what_i_did, skills_used, what_i_learned)]
    if not all(texts):
        raise UserFacingError("Answer all three parts: what you did, the skills you used and "
                              "what you learned.", title="Reflection incomplete")
    if any(len(t) > REFLECTION_LIMIT for t in texts):
        raise UserFacingError(f"Keep each part to {REFLECTION_LIMIT} characters.",
                              title="Reflection too long")
    row = reflection_of(session, placement_id=placement.id, person_id=person.id)
    if row is None:
        row = Reflection(placement_id=placement.id, person_id=person.id)
        session.add(row)
    row.what_i_did_md, row.skills_used_md, row.what_i_learned_md = texts
    session.flush()
    return row


# -- standing ---------------------------------------------------------------------------------


def record_of(session: Session, *, placement_id: int, person_id: int) -> CreditRecord | None:
    return session.scalar(select(CreditRecord).where(
        CreditRecord.placement_id == placement_id, CreditRecord.person_id == person_id))


@dataclass(frozen=True)
class StudentCredit:
    """One student's standing for credit on one placement, with what it was computed from."""

    person: Person
    settings: PlacementCredit | None
    release: GradeRelease | None
    verification: HoursVerification | None
    logged: Decimal
    reflection: Reflection | None
    record: CreditRecord | None
    standing: rules.Standing

    @property
    def problems(self) -> list[str]:
        return rules.problems(self.standing)

    @property
    def credits(self) -> Decimal:
        return self.standing.credits

    @property
    def state_label(self) -> str:
        return self.record.credit_state.label if self.record else "Not decided yet"


def student_credit(
    session: Session, *, placement: Placement, person: Person, policy: Policy
) -> StudentCredit:
    settings = settings_of(session, placement_id=placement.id)
    release = latest_release_for(session, placement_id=placement.id, person_id=person.id)
    verification = latest_verification(session, placement_id=placement.id, person_id=person.id)
    reflection = reflection_of(session, placement_id=placement.id, person_id=person.id)
    most = settings.credits if settings is not None and settings.credit_bearing else Decimal(0)
    credits = rules.credits_for(
        verified_hours=verification.verified_hours if verification else Decimal(0),
        hours_per_credit=policy.hours_per_credit, most=most)
    standing = rules.Standing(
        credit_bearing=settings is not None and settings.credit_bearing,
        grade_released=release is not None,
        grade_percent=rules.grade_percent(release.score_given, release.score_maximum)
        if release else Decimal(0),
        minimum_grade_percent=policy.minimum_grade_percent,
        hours_verified=verification is not None, credits=credits,
        reflection_required=policy.reflection_required, reflection_in=reflection is not None,
        on_roster=on_roster(session, placement_id=placement.id, person=person),
    )
    return StudentCredit(person, settings, release, verification,
                         logged_hours(session, placement_id=placement.id, person_id=person.id),
                         reflection, record_of(session, placement_id=placement.id,
                                               person_id=person.id), standing)


def latest_release_for(session: Session, *, placement_id: int, person_id: int) -> GradeRelease | None:
    """The newest grade released for work made for this student (alone or in a team)."""
    mine = [s for s in _submissions(session, placement_id) if person_id in member_ids(session, s)]
    grades = latest_releases(session, submission_ids=[s.id for s in mine])
    return max(grades.values(), key=lambda g: g.id) if grades else None


def on_roster(session: Session, *, placement_id: int, person: Person) -> bool:
    """False when the course roster says the student left (Inactive or Deleted in NRPS);
    a roster not fetched yet says nothing against them."""
    status = session.scalar(select(RosterMember.status).where(
        RosterMember.placement_id == placement_id, RosterMember.user_sub == person.sub))
    return status is None or status == ACTIVE


def _submissions(session: Session, placement_id: int) -> Sequence[Submission]:
    return session.scalars(select(Submission).where(Submission.placement_id == placement_id)
                           .order_by(Submission.id)).all()


# -- the employer's view of the hour log --------------------------------------------------------


@dataclass(frozen=True)
class MemberHours:
    """One student's hour log as the employer verifying it sees it (under the consent's name)."""

    person_id: int
    label: str
    entries: Sequence[HoursEntry]
    logged: Decimal
    verification: HoursVerification | None


def member_hours(session: Session, *, placement_id: int, members: Sequence[MemberView]) -> list[MemberHours]:
    """The hour logs of the members whose work the employer may see."""
    found = []
    for member in members:
        if not member.work_allowed:
            continue
        entries = session.scalars(
            select(HoursEntry).where(HoursEntry.placement_id == placement_id,
                                     HoursEntry.person_id == member.person_id)
            .order_by(HoursEntry.day, HoursEntry.id)
        ).all()
        found.append(MemberHours(
            member.person_id, member.label, entries, sum((e.hours for e in entries), Decimal(0)),
            latest_verification(session, placement_id=placement_id, person_id=member.person_id)))
    return found
