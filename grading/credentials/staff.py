"""The institution's staff (credit officers and curators) and its students' records: which
evidence packets and credentials they find, and whose packet they may open.

A packet belongs to the institution whose LMS the placement's course came from; a staff
member of another institution finds nothing (the same 404 as a record that does not exist).
Staff downloads are school officials' access, not disclosures (grading/credentials/packet_access.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.web import NotFound
from grading.credentials import packet_access
from grading.credentials.models import Credential
from grading.credit.models import CreditRecord, CreditState
from grading.people.models import Person
from grading.placements.models import Placement
from grading.reviews.notices import institution_of

LIMIT = 500


@dataclass(frozen=True)
class StudentRecord:
    """One student of one placement: the packet, where the credit stands, the credential."""

    placement: Placement
    person: Person
    credit_state: CreditState | None
    credential: Credential | None


def records(session: Session, *, institution_id: int) -> list[StudentRecord]:
    """The institution's students with a credit decision or a credential, newest first."""
    credit = session.scalars(select(CreditRecord).where(
        CreditRecord.institution_id == institution_id).order_by(CreditRecord.id.desc())
        .limit(LIMIT)).all()
    issued = session.scalars(select(Credential).where(
        Credential.institution_id == institution_id).order_by(Credential.id.desc())
        .limit(LIMIT)).all()
    states = {(r.placement_id, r.person_id): r.credit_state for r in credit}
    credentials: dict[tuple[int, int], Credential] = {}
    for row in issued:  # newest first: a pair keeps its newest credential
        credentials.setdefault((row.placement_id, row.person_id), row)
    pairs = list(dict.fromkeys([*credentials, *states]))[:LIMIT]
    found = []
    for placement_id, person_id in pairs:
        placement = session.get(Placement, placement_id)
        person = session.get(Person, person_id)
        if placement is None or person is None:  # pragma: no cover (foreign keys keep them)
            continue
        found.append(StudentRecord(placement, person, states.get((placement_id, person_id)),
                                   credentials.get((placement_id, person_id))))
    return found


def packet_subject(session: Session, *, institution_id: int, placement_id: int,
                   person_id: int) -> tuple[Placement, Person]:
    """A learner of a placement of this institution; anything else is a clear 404."""
    placement = session.get(Placement, placement_id)
    if placement is None or institution_of(session, placement) != institution_id:
        raise NotFound("There is no such student record at your institution.", title="Not found")
    return placement, packet_access.subject(session, placement, person_id)


def credential_of(session: Session, *, institution_id: int, credential_uuid: str) -> Credential:
    found = session.scalar(select(Credential).where(Credential.uuid == credential_uuid[:36]))
    if found is None or found.institution_id != institution_id:
        raise NotFound("There is no such credential at your institution.", title="Not found")
    return found
