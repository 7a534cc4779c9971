"""How a project fits a student, in numbers and in the words the student reads."""

from __future__ import annotations

from datetime import date, timedelta

from catalog.matching.fit import ProjectFacts, StudentFacts, fit, weekly_hours

START = date(2027, 2, 1)
DASHBOARD = ProjectFacts(
    skill_slugs=("excel", "dashboards", "sql"), skill_labels=("Excel", "Dashboards", "SQL"),
    discipline="data", discipline_label="Data", text="Sales dashboard for a bakery chain",
    estimated_hours=30, starts=START, ends=START + timedelta(days=41),
)


def test_the_reason_names_skills_hours_and_the_discipline_the_student_asked_for() -> None:
    student = StudentFacts(skill_slugs=("excel", "sql", "python", "r", "statistics"), levels=(3, 3, 2, 1, 2),
                           disciplines=("data",), hours_per_week=6, interests=("bakery",))
    found = fit(student, DASHBOARD)
    assert found.reason == ("Matches 2 of your 5 skills; fits your 6 h/week (5 h/week); you said you "
                            "want data work; touches on bakery.")
    assert found.fits_hours and found.fits_dates


def test_more_confident_skills_and_goals_fit_better() -> None:
    novice = StudentFacts(skill_slugs=("excel", "sql"), levels=(1, 1))
    expert = StudentFacts(skill_slugs=("excel", "sql"), levels=(3, 3))
    aiming = StudentFacts(skill_slugs=("excel", "sql"), levels=(3, 3),
                          career_goals="I want to build dashboards.")
    assert fit(novice, DASHBOARD).score < fit(expert, DASHBOARD).score < fit(aiming, DASHBOARD).score
    assert "your career goals mention dashboards" in fit(aiming, DASHBOARD).reason


def test_too_many_hours_and_the_wrong_weeks_are_said_plainly() -> None:
    busy = StudentFacts(hours_per_week=6, hours_taken=4,
                        available_from=START + timedelta(days=60), available_until=START + timedelta(days=90))
    found = fit(busy, DASHBOARD)
    assert not found.fits_hours and not found.fits_dates
    assert "needs 5 h/week, more than the 2 h/week you have left" in found.reason
    assert "runs outside the weeks you said you are available" in found.reason
    assert fit(StudentFacts(), DASHBOARD).reason.startswith("Add skills to your profile")


def test_weekly_hours_spread_the_estimate_over_whole_weeks() -> None:
    assert weekly_hours(30, START, START + timedelta(days=41)) == 5.0
    assert weekly_hours(10, START, START) == 10.0  # a one-day window is one week
