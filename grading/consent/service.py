"""Taking part, FERPA consent, pseudonyms, and the disclosure log.

Until a student consents (34 CFR 99.30), the employer sees a stable pseudonym such as
"Student 7F3A", and the work only if the student chose to share it anonymously. Consent
names the records, the purpose, the recipient organisation, and carries the student's typed
signature and the date; withdrawing it stops further disclosure at once, because every
employer view asks ``member_view`` afresh. Each disclosure to an employer is logged (99.32).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from config.database import utcnow
from config.forms import FieldError
from config.web import UserFacingError
from grading.consent.models import Consent, ConsentRecord, Disclosure, Participation
from grading.people.models import Person
from grading.placements.catalog_project import project_info
from grading.placements.models import Placement

OPTIONAL_RECORDS = (ConsentRecord.EMAIL, ConsentRecord.WORK, ConsentRecord.FEEDBACK)
UNKNOWN_PSEUDONYM = "A student"
"""Stands in should a member have no participation row (submitting gives every member one)."""


# -- taking part ---------------------------------------------------------------------------


def participation(session: Session, *, placement_id: int, person_id: int) -> Participation | None:
    return session.scalar(
        select(Participation).where(
            Participation.placement_id == placement_id, Participation.person_id == person_id
        )
    )


def ensure_participation(
    session: Session, *, placement: Placement, person: Person, start: bool = False
) -> Participation:
    """The learner's participation, created with a fresh pseudonym the first time."""
    found = participation(session, placement_id=placement.id, person_id=person.id)
    for _ in range(20):
        if found is not None:
            break
        row = Participation(
            placement_id=placement.id, person_id=person.id,
            pseudonym=f"Student {secrets.token_hex(2).upper()}",
        )
        try:
            with session.begin_nested():
                session.add(row)
            found = row
        except IntegrityError:  # pseudonym taken, or a concurrent first visit: look again
            found = participation(session, placement_id=placement.id, person_id=person.id)
    if found is None:
        raise UserFacingError("Could not set up your participation; please try again.")
    if start and found.started_at is None:
        found.started_at = utcnow()
        session.flush()
    return found


def set_anonymous_sharing(
    session: Session, *, placement: Placement, person: Person, share: bool
) -> Participation:
    """May the employer see this learner's work under the pseudonym, without consent?"""
    row = ensure_participation(session, placement=placement, person=person)
    row.share_anonymously = share
    session.flush()
    return row


# -- consent -------------------------------------------------------------------------------


def current(session: Session, *, placement_id: int, person_id: int) -> Consent | None:
    """The consent in force, if any."""
    return session.scalar(
        select(Consent)
        .where(
            Consent.placement_id == placement_id, Consent.person_id == person_id,
            Consent.withdrawn_at.is_(None),
        )
        .order_by(Consent.id.desc())
        .limit(1)
    )


def history(session: Session, *, placement_id: int, person_id: int) -> Sequence[Consent]:
    return session.scalars(
        select(Consent)
        .where(Consent.placement_id == placement_id, Consent.person_id == person_id)
        .order_by(Consent.id.desc())
    ).all()


def purpose(employer_name: str, project_title: str) -> str:
    return (
        f"So that {employer_name} can review my work on the project “{project_title}”, give me "
        "feedback, and, if they choose, endorse my skills or recommend me."
    )


def statement(*, student: str, employer_name: str, records: Sequence[str], purpose_text: str,
              signed_on: date) -> str:
    """The consent in words, as signed (34 CFR 99.30(b))."""
    listed = "; ".join(ConsentRecord(r).label for r in records)
    return (
        f"I, {student}, consent to Microbridge disclosing the following records from my "
        f"education records to {employer_name}: {listed}. Purpose: {purpose_text} "
        "I understand that I do not have to consent, that I can withdraw this consent at any "
        "time (withdrawal stops further disclosure, but not disclosures already made), and "
        "that every disclosure is logged where I can read it. "
        f"Signed electronically on {signed_on.isoformat()}."
    )


def give(
    session: Session, *, placement: Placement, person: Person, records: Sequence[str],
    signature: str, today: date,
) -> Consent:
    """Record a signed consent; it replaces any earlier one."""
    typed = " ".join(signature.split())
    if len(typed) < 2:
        raise FieldError({"signature": "Type your full name to sign."}, title="Signature missing")
    known = " ".join(person.display_name().split()) if person.display_name() != "Unnamed user" else ""
    if known and typed.casefold() != known.casefold():
        raise FieldError(
            {"signature": f"Type your full name exactly as your course shows it: {known}."},
            title="Signature does not match your name",
        )
    chosen = [ConsentRecord.NAME.value] + [
        r.value for r in OPTIONAL_RECORDS if r.value in set(records)
    ]
    info = project_info(session, placement)
    if info.employer is None:
        raise UserFacingError("This project has no employer to consent to.")
    why = purpose(info.employer.name, placement.title)
    previous = current(session, placement_id=placement.id, person_id=person.id)
    if previous is not None:
        previous.withdrawn_at = utcnow()
    consent = Consent(
        placement_id=placement.id, person_id=person.id, employer_id=info.employer.id,
        employer_name=info.employer.name, records=chosen, purpose=why,
        statement=statement(student=typed, employer_name=info.employer.name, records=chosen,
                            purpose_text=why, signed_on=today),
        signature=typed, signed_on=today, given_at=utcnow(),
    )
    session.add(consent)
    ensure_participation(session, placement=placement, person=person)
    session.flush()
    return consent


def withdraw(session: Session, *, placement_id: int, person_id: int) -> Consent | None:
    """End the consent in force: from now on the employer sees the pseudonym only."""
    consent = current(session, placement_id=placement_id, person_id=person_id)
    if consent is not None:
        consent.withdrawn_at = utcnow()
        session.flush()
    return consent


# -- what an employer may see --------------------------------------------------------------


@dataclass(frozen=True)
class MemberView:
    """One student as an employer may see them right now."""

    person_id: int
    label: str
    """The name with consent; the pseudonym otherwise."""
    identified: bool
    email: str
    work_allowed: bool
    feedback_allowed: bool
    consent_id: int | None


def member_view(session: Session, *, placement: Placement, person: Person) -> MemberView:
    """Only reads: submitting draws every member's pseudonym, so an employer's page writes nothing."""
    part = participation(session, placement_id=placement.id, person_id=person.id)
    consent = current(session, placement_id=placement.id, person_id=person.id)
    return _view(person, part, consent)


def member_views(
    session: Session, *, pairs: Sequence[tuple[Placement, Person]]
) -> dict[tuple[int, int], MemberView]:
    """``member_view`` of many students at once, keyed by (placement id, person id).

    Two queries however many students: the participations and the consents in force, each
    for every pair. Only reads, as ``member_view`` does.
    """
    wanted = {(placement.id, person.id) for placement, person in pairs}
    if not wanted:
        return {}
    placement_ids = {placement_id for placement_id, _ in wanted}
    person_ids = {person_id for _, person_id in wanted}
    parts = {
        (row.placement_id, row.person_id): row
        for row in session.scalars(select(Participation).where(
            Participation.placement_id.in_(placement_ids), Participation.person_id.in_(person_ids)
        ))
    }
    consents: dict[tuple[int, int], Consent] = {}
    for consent in session.scalars(
        select(Consent)
        .where(Consent.placement_id.in_(placement_ids), Consent.person_id.in_(person_ids),
               Consent.withdrawn_at.is_(None))
        .order_by(Consent.id)
    ):
        consents[(consent.placement_id, consent.person_id)] = consent  # the newest wins
    views: dict[tuple[int, int], MemberView] = {}
    for placement, person in pairs:
        key = (placement.id, person.id)
        if key in views:
            continue
        views[key] = _view(person, parts.get(key), consents.get(key))
    return views


def work_shared(session: Session, *, placement_id: int, person_ids: Sequence[int]) -> set[int]:
    """Which of these learners let the employer see their work now: by consent naming the
    work, or by sharing it under the pseudonym. Two queries however many learners."""
    if not person_ids:
        return set()
    anonymous = set(session.scalars(select(Participation.person_id).where(
        Participation.placement_id == placement_id, Participation.person_id.in_(person_ids),
        Participation.share_anonymously.is_(True),
    )))
    consenting = {
        consent.person_id for consent in session.scalars(select(Consent).where(
            Consent.placement_id == placement_id, Consent.person_id.in_(person_ids),
            Consent.withdrawn_at.is_(None),
        )) if consent.covers(ConsentRecord.WORK)
    }
    return anonymous | consenting


def _view(person: Person, part: Participation | None, consent: Consent | None) -> MemberView:
    identified = consent is not None and consent.covers(ConsentRecord.NAME)
    return MemberView(
        person_id=person.id,
        label=person.display_name() if identified else part.pseudonym if part else UNKNOWN_PSEUDONYM,
        identified=identified,
        email=person.email if consent is not None and consent.covers(ConsentRecord.EMAIL) else "",
        work_allowed=(consent is not None and consent.covers(ConsentRecord.WORK))
        or (part is not None and part.share_anonymously),
        feedback_allowed=consent is not None and consent.covers(ConsentRecord.FEEDBACK),
        consent_id=consent.id if consent is not None else None,
    )


def log_disclosure(
    session: Session, *, placement: Placement, members: Sequence[MemberView], employer_id: int,
    employer_name: str, viewer_id: int | None, viewer_label: str, action: str,
    submission_id: int | None = None,
) -> list[Disclosure]:
    """Write one log entry per student whose record the employer just saw (99.32)."""
    rows = [
        Disclosure(
            placement_id=placement.id, person_id=member.person_id, submission_id=submission_id,
            employer_id=employer_id, employer_name=employer_name, viewer_id=viewer_id,
            viewer_label=viewer_label[:320], action=action[:200], identified=member.identified,
            consent_id=member.consent_id,
        )
        for member in members
    ]
    session.add_all(rows)
    session.flush()
    return rows


def disclosures_for_student(
    session: Session, *, placement_id: int, person_id: int
) -> Sequence[Disclosure]:
    return session.scalars(
        select(Disclosure)
        .where(Disclosure.placement_id == placement_id, Disclosure.person_id == person_id)
        .order_by(Disclosure.id.desc())
    ).all()


def disclosures_for_placement(session: Session, *, placement_id: int) -> Sequence[Disclosure]:
    return session.scalars(
        select(Disclosure)
        .where(Disclosure.placement_id == placement_id)
        .order_by(Disclosure.id.desc())
    ).all()
