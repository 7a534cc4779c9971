"""What the student's project page shows of credit, gathered for a thin view."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from catalog.credit_office.service import Policy, policy_for
from grading.credit import approval, service
from grading.credit.models import CreditStep
from grading.credit.service import StudentCredit
from grading.people.models import Person
from grading.placements.models import Placement


@dataclass(frozen=True)
class StudentCreditPage:
    credit: StudentCredit
    policy: Policy
    steps: Sequence[CreditStep]


def for_student(session: Session, *, placement: Placement, person: Person,
                institution_id: int | None) -> StudentCreditPage | None:
    """The student's credit, or None where the placement bears none and nothing was decided."""
    policy = policy_for(session, institution_id=institution_id)
    credit = service.student_credit(session, placement=placement, person=person, policy=policy)
    if not credit.standing.credit_bearing and credit.record is None:
        return None
    steps = approval.steps(session, record_id=credit.record.id) if credit.record else []
    return StudentCreditPage(credit, policy, steps)
