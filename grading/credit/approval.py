"""The approval chain: the instructor recommends credit (or not, with a reason); a credit
officer approves it or returns it with a note, where the institution's policy says so.

Every step is a new ``CreditStep`` row (who, when, what, why); the record keeps where the
credit stands. A refused step raises ``CreditRefused`` before anything is written. Approval
calls ``events.credit_approved`` in the same transaction; a verification that changes the
hours after a recommendation or approval reopens the record (``events.credit_reopened``).

An institution whose policy needs a credit officer but has none: the recommendation is
recorded and waits (nothing is approved by default); the instructor is told, the
institution's curators see it on the policy page, and an LMS Administrator launched from the
LMS can approve meanwhile.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.credit_office.service import Policy
from config.database import utcnow
from config.web import NotFound, UserFacingError
from grading.credit import events, rules
from grading.credit.models import (
    CreditRecord,
    CreditState,
    CreditStep,
    HoursVerification,
    StepAction,
)
from grading.credit.service import CreditRefused, StudentCredit, record_of
from grading.people.models import Person
from grading.placements.models import Placement

NOTE_LIMIT = 2000


@dataclass(frozen=True)
class Who:
    """Who takes a step: ``kind`` is instructor, credit_officer, lti_admin, employer or system."""

    kind: str
    label: str
    id: int | None = None


def steps(session: Session, *, record_id: int) -> Sequence[CreditStep]:
    return session.scalars(select(CreditStep).where(CreditStep.credit_record_id == record_id)
                           .order_by(CreditStep.id)).all()


def _step(session: Session, record: CreditRecord, action: StepAction, who: Who,
          note: str = "") -> CreditStep:
    step = CreditStep(credit_record_id=record.id, action=action.value, actor_kind=who.kind,
                      actor_id=who.id, actor_label=who.label[:320], note=note[:NOTE_LIMIT],
                      credits=record.credits, verified_hours=record.verified_hours,
                      grade_percent=record.grade_percent)
    session.add(step)
    session.flush()
    return step


def _locked(session: Session, record: CreditRecord) -> None:
    """Read the record again under a row lock: of two decisions sent at once, the second sees
    the first's state (and is refused) instead of writing a second step."""
    session.refresh(record, with_for_update=True)


def _refuse_decided(record: CreditRecord | None, session: Session) -> None:
    if record is None:
        return
    _locked(session, record)
    if rules.may_recommend(record.credit_state):
        return
    last = steps(session, record_id=record.id)[-1]
    raise CreditRefused(
        f"Credit for this student was already {last.action.replace('_', ' ')} on "
        f"{last.created_at:%Y-%m-%d} by {last.actor_label}; it is "
        f"“{record.credit_state.label}”. Nothing was changed.", title="Already decided")


def recommend(
    session: Session, *, placement: Placement, credit: StudentCredit, who: Who,
    institution_id: int | None, policy: Policy, note: str = "",
) -> CreditRecord:
    """The instructor recommends credit; under an instructor-only policy that approves it."""
    record = credit.record
    _refuse_decided(record, session)
    if credit.problems:
        raise CreditRefused(" ".join(credit.problems), title="Credit cannot be recommended yet")
    assert credit.release is not None and credit.verification is not None
    record = _write(session, record, placement=placement, person=credit.person,
                    institution_id=institution_id, state=CreditState.RECOMMENDED)
    record.credits = credit.credits
    record.verified_hours = credit.verification.verified_hours
    record.hours_verification_id = credit.verification.id
    record.grade_percent = credit.standing.grade_percent
    _step(session, record, StepAction.RECOMMENDED, who, note.strip())
    if not policy.needs_officer:
        _approve(session, record, who, "The institution's policy lets the instructor approve.")
    return record


def decline(
    session: Session, *, placement: Placement, credit: StudentCredit, who: Who,
    institution_id: int | None, reason: str,
) -> CreditRecord:
    """The instructor does not recommend credit, and says why (the student sees the reason)."""
    _refuse_decided(credit.record, session)
    if not reason.strip():
        raise UserFacingError("Say why you do not recommend credit; the student sees it.",
                              title="Reason needed")
    record = _write(session, credit.record, placement=placement, person=credit.person,
                    institution_id=institution_id, state=CreditState.NOT_RECOMMENDED)
    record.credits = Decimal(0)
    _step(session, record, StepAction.NOT_RECOMMENDED, who, reason.strip())
    return record


def _write(session: Session, record: CreditRecord | None, *, placement: Placement,
           person: Person, institution_id: int | None, state: CreditState) -> CreditRecord:
    if record is None:
        record = CreditRecord(placement_id=placement.id, person_id=person.id, state=state.value,
                              institution_id=institution_id)
        session.add(record)
    record.state = state.value
    record.approved_at = None
    record.approver_label = ""
    if institution_id is not None:
        record.institution_id = institution_id
    session.flush()
    return record


def _approve(session: Session, record: CreditRecord, who: Who, note: str) -> None:
    record.state = CreditState.APPROVED.value
    record.approved_at = utcnow()
    record.approver_label = who.label[:320]
    step = _step(session, record, StepAction.APPROVED, who, note)
    events.credit_approved(session, events.CreditApproved(
        credit_record_id=record.id, placement_id=record.placement_id, person_id=record.person_id,
        institution_id=record.institution_id, credits=record.credits,
        verified_hours=record.verified_hours, grade_percent=record.grade_percent,
        approved_at=record.approved_at, approver_label=record.approver_label, step_id=step.id,
    ))


# -- the credit officer -----------------------------------------------------------------------


def record_for_officer(
    session: Session, *, institution_id: int, placement_id: int, person_id: int
) -> CreditRecord:
    """A record of the officer's own institution; any other looks like a missing one."""
    record = record_of(session, placement_id=placement_id, person_id=person_id)
    if record is None or record.institution_id != institution_id:
        raise NotFound("There is no such credit recommendation at your institution.",
                       title="Not found")
    return record


def approve(session: Session, *, record: CreditRecord, credit: StudentCredit, who: Who,
            note: str = "") -> CreditRecord:
    """A credit officer approves a recommendation that still holds."""
    _refuse_not_waiting(session, record)
    if credit.problems:
        raise CreditRefused("It can no longer be approved: " + " ".join(credit.problems)
                            + " Return it to the instructor instead.", title="Cannot approve")
    if credit.verification is None or credit.verification.verified_hours != record.verified_hours:
        raise CreditRefused("The verified hours changed since the recommendation: the "
                            "instructor must recommend again.", title="Cannot approve")
    _approve(session, record, who, note.strip())
    return record


def send_back(session: Session, *, record: CreditRecord, who: Who, note: str) -> CreditRecord:
    """A credit officer returns the recommendation to the instructor with a note."""
    _refuse_not_waiting(session, record)
    if not note.strip():
        raise UserFacingError("Say why you return it; the instructor reads the note.",
                              title="Note needed")
    record.state = CreditState.RETURNED.value
    _step(session, record, StepAction.RETURNED, who, note.strip())
    return record


def _refuse_not_waiting(session: Session, record: CreditRecord) -> None:
    _locked(session, record)
    if not rules.may_officer_decide(record.credit_state):
        raise CreditRefused(f"This credit is “{record.credit_state.label}”: there is nothing "
                            "waiting for a credit officer's decision. Nothing was changed.",
                            title="Nothing to decide")


# -- hours verified again -----------------------------------------------------------------------


def after_verification(session: Session, *, verification: HoursVerification, who: Who) -> bool:
    """Reopen a recommendation or approval whose verified hours this verification changes."""
    record = record_of(session, placement_id=verification.placement_id,
                       person_id=verification.person_id)
    if record is None or not rules.reopens(record.credit_state, decided_hours=record.verified_hours,
                                           new_hours=verification.verified_hours):
        return False
    was_approved = record.credit_state is CreditState.APPROVED
    record.state = CreditState.REOPENED.value
    record.approved_at = None
    step = _step(session, record, StepAction.REOPENED, who,
                 f"Verified hours changed from {rules.number(record.verified_hours)} to "
                 f"{rules.number(verification.verified_hours)}: the instructor decides again.")
    if was_approved:
        events.credit_reopened(session, events.CreditReopened(
            credit_record_id=record.id, placement_id=record.placement_id,
            person_id=record.person_id, step_id=step.id, reason=step.note))
    return True


# -- what the credit office reads -------------------------------------------------------------


@dataclass(frozen=True)
class QueueItem:
    record: CreditRecord
    placement: Placement
    person: Person
    recommended_at: datetime | None


def waiting(session: Session, *, institution_id: int) -> list[QueueItem]:
    """Recommendations waiting for the institution's credit office, oldest first."""
    rows = session.execute(
        select(CreditRecord, Placement, Person)
        .join(Placement, Placement.id == CreditRecord.placement_id)
        .join(Person, Person.id == CreditRecord.person_id)
        .where(CreditRecord.institution_id == institution_id,
               CreditRecord.state == CreditState.RECOMMENDED.value)
        .order_by(CreditRecord.updated_at, CreditRecord.id)
    ).all()
    return [QueueItem(r, p, s, r.updated_at) for r, p, s in rows]
