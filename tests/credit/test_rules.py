"""The credit rules as plain functions: credits from verified hours, the grade, eligibility,
which steps each state allows, what reopens a decision, and the policy form."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from catalog.credit_office.models import Approver
from catalog.credit_office.service import Policy, parse_policy
from config.spreadsheets import safe_cell
from grading.credit import rules
from grading.credit.models import CreditState
from grading.credit.service import parse_credits

D = Decimal


@pytest.mark.parametrize(("hours", "per_credit", "most", "expected"), [
    ("45", "45", "3", "1.0"),
    ("67.5", "45", "3", "1.5"),
    ("89.99", "45", "3", "1.5"),  # down to the half credit below
    ("500", "45", "3", "3.0"),  # never more than the placement awards
    ("22.49", "45", "3", "0.0"),
    ("0", "45", "3", "0.0"),
    ("90", "0", "3", "0.0"),
    ("90", "45", "0", "0.0"),
])
def test_credits_come_from_verified_hours(hours: str, per_credit: str, most: str, expected: str) -> None:
    assert rules.credits_for(verified_hours=D(hours), hours_per_credit=D(per_credit),
                             most=D(most)) == D(expected)


def test_the_grade_is_a_percentage_of_the_line_items_maximum() -> None:
    assert rules.grade_percent(42.5, 50) == D("85.00")
    assert rules.grade_percent(2, 3) == D("66.67")
    assert rules.grade_percent(10, 0) == D("0.00")


ELIGIBLE = rules.Standing(credit_bearing=True, grade_released=True, grade_percent=D(80),
                          minimum_grade_percent=D(60), hours_verified=True, credits=D(1),
                          reflection_required=True, reflection_in=True)


def test_an_eligible_student_has_no_problems() -> None:
    assert rules.problems(ELIGIBLE) == []


@pytest.mark.parametrize(("change", "says"), [
    ({"credit_bearing": False}, "does not bear credit"),
    ({"on_roster": False}, "no longer active"),
    ({"grade_released": False}, "No grade"),
    ({"grade_percent": D("59.99")}, "below the policy's minimum"),
    ({"hours_verified": False}, "verified the student's hours"),
    ({"credits": D(0)}, "too few"),
    ({"reflection_in": False}, "reflection"),
])
def test_each_missing_condition_is_named(change: dict[str, object], says: str) -> None:
    found = rules.problems(replace(ELIGIBLE, **change))  # type: ignore[arg-type]
    assert len(found) == 1 and says in found[0]


def test_no_reflection_is_needed_when_the_policy_asks_for_none() -> None:
    assert rules.problems(replace(ELIGIBLE, reflection_required=False, reflection_in=False)) == []


@pytest.mark.parametrize(("state", "instructor", "officer"), [
    (None, True, False),
    (CreditState.RECOMMENDED, False, True),
    (CreditState.APPROVED, False, False),
    (CreditState.NOT_RECOMMENDED, True, False),
    (CreditState.RETURNED, True, False),
    (CreditState.REOPENED, True, False),
])
def test_who_may_act_in_each_state(state: CreditState | None, instructor: bool, officer: bool) -> None:
    assert rules.may_recommend(state) is instructor
    assert rules.may_officer_decide(state) is officer


@pytest.mark.parametrize(("state", "new", "expected"), [
    (CreditState.APPROVED, "40", True),
    (CreditState.RECOMMENDED, "40", True),
    (CreditState.APPROVED, "45", False),  # confirmed at the same total: nothing changes
    (CreditState.RETURNED, "40", False),
    (None, "40", False),
])
def test_hours_verified_at_a_new_total_reopen_a_decision(state: CreditState | None, new: str,
                                                        expected: bool) -> None:
    assert rules.reopens(state, decided_hours=D(45), new_hours=D(new)) is expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("42", D("42.00")), ("42,5", D("42.50")), (" 0 ", D("0.00")),
    ("-1", None), ("abc", None), ("NaN", None), ("1e9", None), ("", None),
])
def test_verified_hours_as_typed(raw: str, expected: Decimal | None) -> None:
    assert rules.parse_hours(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("3", D("3.0")), ("1.5", D("1.5")), ("0.5", D("0.5")),
    ("0", None), ("1.25", None), ("13", None), ("x", None), ("Infinity", None),
])
def test_placement_credits_come_in_half_steps(raw: str, expected: Decimal | None) -> None:
    assert parse_credits(raw) == expected


def test_the_policy_form_is_read_and_checked() -> None:
    policy, errors = parse_policy({"hours_per_credit": "30", "minimum_grade_percent": "70",
                                   "reflection_required": "yes", "approver": "instructor"})
    assert errors == {}
    assert policy == Policy(hours_per_credit=D("30.00"), minimum_grade_percent=D("70.00"),
                            reflection_required=True, approver=Approver.INSTRUCTOR, saved=True)
    _, errors = parse_policy({"hours_per_credit": "0", "minimum_grade_percent": "101",
                              "approver": "dean"})
    assert set(errors) == {"hours_per_credit", "minimum_grade_percent", "approver"}


def test_the_default_policy_waits_for_a_credit_officer() -> None:
    default = Policy()
    assert (default.hours_per_credit, default.needs_officer) == (D(45), True)


@pytest.mark.parametrize("value", ["=HYPERLINK(\"x\")", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_a_spreadsheet_cell_never_starts_a_formula(value: str) -> None:
    assert safe_cell(value) == "'" + value
    assert safe_cell("Ada") == "Ada"
