"""The credit rules, as plain functions of plain values (no database, no Flask).

- Credits come from verified hours only: ``verified hours / hours per credit``, rounded down
  to a half credit, and never more than the placement can award.
- A student is eligible when the placement bears credit, the grade is released and at least
  the policy's minimum, someone verified the hours, the reflection is in (if the policy asks
  for one), and the student is still on the course's roster.
- The chain: the instructor recommends (or not, with a reason); under an "instructor then
  credit officer" policy a credit officer approves or returns it with a note; otherwise the
  recommendation is the approval. Hours verified anew after a recommendation reopen it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from grading.credit.models import CreditState

HALF = Decimal("0.5")
MAX_CREDITS = Decimal("99.5")
MAX_HOURS_PER_CREDIT = Decimal("1000")
MAX_VERIFIED_HOURS = Decimal("99999")


def credits_for(*, verified_hours: Decimal, hours_per_credit: Decimal, most: Decimal) -> Decimal:
    """Credits earned: verified hours over hours per credit, down to a half, capped."""
    if hours_per_credit <= 0 or verified_hours <= 0 or most <= 0:
        return Decimal("0.0")
    halves = (verified_hours / hours_per_credit / HALF).to_integral_value(rounding=ROUND_DOWN)
    return min(halves * HALF, most).quantize(Decimal("0.1"))


def grade_percent(score_given: float, score_maximum: float) -> Decimal:
    """The released grade as a percentage, to two decimals."""
    if score_maximum <= 0 or not math.isfinite(score_given):
        return Decimal("0.00")
    return (Decimal(str(score_given)) * 100 / Decimal(str(score_maximum))).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


@dataclass(frozen=True)
class Standing:
    """What the rules need to know about one student's work on one placement."""

    credit_bearing: bool
    grade_released: bool
    grade_percent: Decimal
    minimum_grade_percent: Decimal
    hours_verified: bool
    credits: Decimal
    reflection_required: bool
    reflection_in: bool
    on_roster: bool = True


def problems(standing: Standing) -> list[str]:
    """Why credit cannot be recommended now, in words for the instructor (empty: it can)."""
    found = []
    if not standing.credit_bearing:
        found.append("This placement does not bear credit (its credit was withdrawn or never "
                     "set): turn credit on in the placement's settings first.")
    if not standing.on_roster:
        found.append("The student is no longer active in the course (withdrawn or dropped).")
    if not standing.grade_released:
        found.append("No grade has been released to the student yet.")
    elif standing.grade_percent < standing.minimum_grade_percent:
        found.append(f"The grade ({number(standing.grade_percent)}%) is below the policy's minimum "
                     f"for credit ({number(standing.minimum_grade_percent)}%).")
    if not standing.hours_verified:
        found.append("Nobody has verified the student's hours yet (the employer in the review, "
                     "or you).")
    elif standing.credits <= 0:
        found.append("The verified hours are too few for any credit under the policy.")
    if standing.reflection_required and not standing.reflection_in:
        found.append("The policy asks for the student's reflection, and it is not in yet.")
    return found


RECOMMENDABLE = frozenset({None, CreditState.NOT_RECOMMENDED, CreditState.RETURNED,
                           CreditState.REOPENED})
"""States from which the instructor decides (again)."""


def may_recommend(state: CreditState | None) -> bool:
    return state in RECOMMENDABLE


def may_officer_decide(state: CreditState | None) -> bool:
    return state is CreditState.RECOMMENDED


def reopens(state: CreditState | None, *, decided_hours: Decimal, new_hours: Decimal) -> bool:
    """Hours verified anew at a different total reopen a recommendation or an approval."""
    return state in {CreditState.RECOMMENDED, CreditState.APPROVED} and decided_hours != new_hours


def number(value: Decimal) -> str:
    """A decimal as people write it: 22, 12.5 (not 22.00 or 1E+2)."""
    return format(value.normalize(), "f")


def parse_hours(raw: str) -> Decimal | None:
    """A verified total as typed (``12``, ``12.5``, ``12,5``); None when not a sensible number."""
    try:
        hours = Decimal(raw.strip().replace(",", "."))
    except ArithmeticError:
        return None
    if not hours.is_finite() or hours < 0 or hours > MAX_VERIFIED_HOURS:
        return None
    return hours.quantize(Decimal("0.01"))
