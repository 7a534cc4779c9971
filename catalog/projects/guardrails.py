"""Rules a project must meet before it can be submitted or published.

Paid work pays at least a floor per estimated hour. Unpaid work must pass the US Department
of Labor's primary-beneficiary test as far as a platform can check it: tied to a course,
earning credit, time-boxed, and capped in hours (Fact Sheet #71,
https://www.dol.gov/agencies/whd/fact-sheets/71-flsa-internships). A stipend that does not
reach the floor is treated as unpaid work, since it is not a wage.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from catalog.projects.content import ProjectContent
from catalog.projects.models import Compensation
from config.settings import Settings


@dataclass(frozen=True)
class PayPolicy:
    floors: dict[str, Decimal]
    """Minimum pay per estimated hour, by currency code."""
    unpaid_hours_cap: int = 40

    @classmethod
    def from_settings(cls, settings: Settings) -> PayPolicy:
        return cls(floors=settings.pay_floor_table, unpaid_hours_cap=settings.unpaid_hours_cap)

    def describe_floor(self) -> str:
        return ", ".join(f"{amount} {code}" for code, amount in sorted(self.floors.items()))


DEFAULT_POLICY = PayPolicy(floors={"USD": Decimal("20")})


def problems(content: ProjectContent, policy: PayPolicy) -> dict[str, str]:
    """Each unmet rule, keyed by the form field it concerns; empty when all are met."""
    found: dict[str, str] = {}
    comp = content.compensation_type
    if comp in {Compensation.PAID, Compensation.STIPEND}:
        found.update(_pay_problems(content, policy))
    if comp == Compensation.UNPAID or (comp == Compensation.STIPEND and not _meets_floor(
            content, policy)):
        found.update(_unpaid_problems(content, policy))
    return found


def _meets_floor(content: ProjectContent, policy: PayPolicy) -> bool:
    floor = policy.floors.get(content.pay_currency)
    if floor is None or content.pay_amount is None or content.estimated_hours <= 0:
        return False
    return content.pay_amount >= floor * content.estimated_hours


def _pay_problems(content: ProjectContent, policy: PayPolicy) -> dict[str, str]:
    if content.pay_amount is None or content.pay_amount <= 0:
        return {"pay_amount": "Enter the total amount the project pays."}
    floor = policy.floors.get(content.pay_currency)
    if floor is None:
        return {"pay_currency": "Microbridge can check pay only in "
                f"{', '.join(sorted(policy.floors))}; enter the amount in one of those."}
    if content.compensation_type == Compensation.STIPEND or _meets_floor(content, policy):
        return {}
    hours = content.estimated_hours
    per_hour = (content.pay_amount / hours).quantize(Decimal("0.01")) if hours else Decimal(0)
    needed = (floor * hours).quantize(Decimal("0.01"))
    return {"pay_amount": (
        f"This pays {per_hour} {content.pay_currency} per estimated hour; paid projects pay at "
        f"least {floor} {content.pay_currency} per hour, so {needed} {content.pay_currency} "
        f"for {hours} hours. Raise the amount, lower the hours, or offer it as course-tied "
        "unpaid work."
    )}


def _unpaid_problems(content: ProjectContent, policy: PayPolicy) -> dict[str, str]:
    found: dict[str, str] = {}
    why = ("A stipend below the pay floor counts as unpaid work: "
           if content.compensation_type == Compensation.STIPEND else "")
    if not content.course_tied:
        found["course_tied"] = why + "Unpaid projects must be tied to a course."
    if not content.credit_bearing:
        found["credit_bearing"] = why + "Unpaid projects must earn the student academic credit."
    if not content.time_boxed:
        found["time_boxed"] = why + "Unpaid projects must be time-boxed to a fixed window."
    if content.estimated_hours > policy.unpaid_hours_cap:
        found["estimated_hours"] = (
            f"{why}Unpaid projects may ask for at most {policy.unpaid_hours_cap} hours; this one "
            f"asks for {content.estimated_hours}."
        )
    return found
