"""The rules of applications as plain functions: answers, deadlines, the employer's order,
blind labels and the words a declined student reads."""

from __future__ import annotations

from datetime import date

import pytest

from config.web import UserFacingError
from grading.applications import rules
from grading.applications.rules import Verdict

GOOD = {"skills_used": "SQL in a club budget", "motivation": "I want data work", "hours_per_week": "6"}


def test_an_answer_needs_skills_motivation_and_hours() -> None:
    assert rules.answer_from(GOOD) == rules.Answer("SQL in a club budget", "I want data work", 6.0)
    for missing, words in (("skills_used", "skills"), ("motivation", "why"), ("hours_per_week", "hours")):
        with pytest.raises(UserFacingError) as refused:
            rules.answer_from({**GOOD, missing: "  "})
        assert refused.value.status == 422
        assert words in refused.value.message.lower()


@pytest.mark.parametrize("hours", ["0", "-3", "61", "many", "nan"])
def test_hours_must_be_a_plausible_number(hours: str) -> None:
    with pytest.raises(UserFacingError):
        rules.answer_from({**GOOD, "hours_per_week": hours})


def test_an_answer_is_kept_short() -> None:
    with pytest.raises(UserFacingError, match="under 2000"):
        rules.answer_from({**GOOD, "motivation": "x" * 2001})


def test_applying_closes_after_the_deadline_day_with_the_date_in_words() -> None:
    rules.check_open_to_apply(date(2026, 12, 5), today=date(2026, 12, 5), title="Brand survey")
    with pytest.raises(UserFacingError) as refused:
        rules.check_open_to_apply(date(2026, 12, 5), today=date(2026, 12, 6), title="Brand survey")
    assert refused.value.status == 409
    assert refused.value.message == "Applications for Brand survey closed on 5 December 2026."


def test_selecting_closes_after_the_selection_deadline() -> None:
    rules.check_open_to_select(date(2026, 12, 9), today=date(2026, 12, 9))
    with pytest.raises(UserFacingError, match="by fit"):
        rules.check_open_to_select(date(2026, 12, 9), today=date(2026, 12, 10))


def test_the_employer_cannot_select_before_applications_close() -> None:
    rules.check_deadlines(date(2026, 12, 5), date(2026, 12, 5))
    with pytest.raises(UserFacingError):
        rules.check_deadlines(date(2026, 12, 5), date(2026, 12, 4))


def test_the_employer_order_is_ranks_then_accepted_never_declined_or_withdrawn() -> None:
    verdicts = [
        Verdict(1, True, "accepted", None, 0),
        Verdict(2, True, "", 2, 1),
        Verdict(3, True, "declined", None, 2),
        Verdict(4, True, "accepted", 1, 3),
        Verdict(5, False, "accepted", None, 4),  # withdrawn
        Verdict(6, True, "", None, 5),  # not decided: not taken once the employer selected
        Verdict(7, True, "accepted", None, 6),
    ]
    assert rules.employer_order(verdicts) == [4, 2, 1, 7]


def test_an_employer_who_selects_nobody_leaves_the_project_to_fit() -> None:
    assert rules.employer_order([]) is None
    undecided, declined = Verdict(1, True, "", None, 0), Verdict(2, True, "declined", None, 1)
    assert rules.employer_order([undecided, declined]) is None


def test_the_employer_sees_a_name_only_after_selecting_and_consent() -> None:
    def label(selected: bool, consented: bool) -> str:
        return rules.employer_label(selected=selected, consented_name=consented, name="Ada Lovelace",
                                    pseudonym="Student 7F3A")

    assert label(False, False) == "Student 7F3A"
    assert label(False, True) == "Student 7F3A"
    assert label(True, False) == "Student 7F3A"
    assert label(True, True) == "Ada Lovelace"


def test_a_declined_student_is_told_kindly_and_offered_the_next_fit() -> None:
    with_offer = rules.declined_message("Brand survey", next_fit="Grant proposal")
    assert with_offer.startswith("Thank you for applying to Brand survey.")
    assert "Grant proposal still has places and fits you" in with_offer
    assert "by fit" in rules.declined_message("Brand survey", next_fit=None)


@pytest.mark.parametrize(("raw", "rank"), [("", None), (" 3 ", 3), ("1", 1)])
def test_ranks_are_whole_numbers_from_one(raw: str, rank: int | None) -> None:
    assert rules.parse_rank(raw) == rank


@pytest.mark.parametrize("raw", ["0", "-1", "1.5", "first"])
def test_other_ranks_are_refused(raw: str) -> None:
    with pytest.raises(UserFacingError):
        rules.parse_rank(raw)
