"""Who may download an evidence packet, and what a download writes to the disclosure log.

The student, the course's instructors and the institution's staff (credit officers and
curators, grading/credentials/staff.py) may; nobody else.
Our reading of FERPA (34 CFR 99.32(d)): a student inspecting their own record, and school
officials with a legitimate interest (instructors, credit officers, curators), need no record of
disclosure; but when the student downloads the packet it leaves the institution's staff to
wherever the student shares it, so that download is written to the student's disclosure log,
where they see it. Staff downloads are not logged as disclosures."""

from __future__ import annotations

from sqlalchemy.orm import Session

from catalog.institutions.models import Institution
from grading.consent import service as consent
from grading.consent.models import Disclosure
from grading.credit import service as credit
from grading.people.models import Person
from grading.placements.models import Placement


def log_student_download(session: Session, *, placement: Placement, person: Person,
                         institution_id: int | None, kind: str) -> Disclosure:
    institution = session.get(Institution, institution_id) if institution_id else None
    row = Disclosure(
        placement_id=placement.id, person_id=person.id, employer_id=0,
        employer_name=(institution.name if institution else "the institution")[:200],
        viewer_id=person.id, viewer_label="You (the student)",
        action=f"Downloaded your evidence packet ({kind}) to keep or share", identified=True)
    session.add(row)
    session.flush()
    return row


def subject(session: Session, placement: Placement, person_id: int) -> Person:
    """A learner of the placement: they started it, submitted for it or logged hours in it
    (anyone else is a clear 404)."""
    started = consent.participation(session, placement_id=placement.id, person_id=person_id)
    person = session.get(Person, person_id) if started is not None else None
    return person or credit.learner_in(session, placement=placement, person_id=person_id)
