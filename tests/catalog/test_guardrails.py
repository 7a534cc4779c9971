"""Fair pay and the unpaid-work rules that gate submission and publication."""

from __future__ import annotations

from decimal import Decimal

from catalog.projects.guardrails import PayPolicy, problems
from config.settings import load_settings

from .conftest import make_content

POLICY = PayPolicy(floors={"USD": Decimal("20"), "EUR": Decimal("18")}, unpaid_hours_cap=40)


def test_paid_at_the_floor_passes() -> None:
    assert problems(make_content(pay_amount=Decimal("600"), estimated_hours=30), POLICY) == {}


def test_paid_below_the_floor_is_refused_with_the_numbers() -> None:
    found = problems(make_content(pay_amount=Decimal("599.99"), estimated_hours=30), POLICY)
    assert set(found) == {"pay_amount"}
    assert "20.00 USD per estimated hour" in found["pay_amount"]
    assert "600.00 USD for 30 hours" in found["pay_amount"]


def test_floor_follows_the_currency() -> None:
    ok = make_content(pay_amount=Decimal("540"), pay_currency="EUR", estimated_hours=30)
    assert problems(ok, POLICY) == {}
    unknown = make_content(pay_amount=Decimal("5000"), pay_currency="JPY")
    assert set(problems(unknown, POLICY)) == {"pay_currency"}


def test_paid_without_an_amount_is_refused() -> None:
    assert set(problems(make_content(pay_amount=None), POLICY)) == {"pay_amount"}


def test_unpaid_needs_all_three_conditions() -> None:
    content = make_content(compensation_type="unpaid", pay_amount=None, pay_currency="")
    assert set(problems(content, POLICY)) == {"course_tied", "credit_bearing", "time_boxed"}
    content = make_content(compensation_type="unpaid", pay_amount=None, course_tied=True,
                           credit_bearing=True, time_boxed=True)
    assert problems(content, POLICY) == {}


def test_unpaid_is_capped_in_hours() -> None:
    content = make_content(compensation_type="unpaid", pay_amount=None, course_tied=True,
                           credit_bearing=True, time_boxed=True, estimated_hours=41)
    found = problems(content, POLICY)
    assert set(found) == {"estimated_hours"}
    assert "at most 40 hours" in found["estimated_hours"]


def test_small_stipend_counts_as_unpaid_work() -> None:
    content = make_content(compensation_type="stipend", pay_amount=Decimal("100"),
                           estimated_hours=30)
    found = problems(content, POLICY)
    assert set(found) == {"course_tied", "credit_bearing", "time_boxed"}
    assert found["course_tied"].startswith("A stipend below the pay floor")


def test_stipend_at_the_floor_is_like_pay() -> None:
    content = make_content(compensation_type="stipend", pay_amount=Decimal("600"),
                           estimated_hours=30)
    assert problems(content, POLICY) == {}


def test_policy_comes_from_settings(tmp_path: object) -> None:
    settings = load_settings(environ={
        "MICROBRIDGE_PAY_FLOOR_PER_HOUR": "25.50", "MICROBRIDGE_PAY_FLOORS": "gbp=17",
        "MICROBRIDGE_UNPAID_HOURS_CAP": "30", "MICROBRIDGE_INSTANCE_PATH": str(tmp_path),
    })
    policy = PayPolicy.from_settings(settings)
    assert policy.floors == {"USD": Decimal("25.50"), "GBP": Decimal("17")}
    assert policy.unpaid_hours_cap == 30
