"""How well a project fits a student, as a score and in words.

Plain values in, plain values out: the caller reads the profile and the project revision.
The score (0..1) weighs skills most, then the stated discipline and interests; hours and
dates are hard rules (``algorithm.allowed``), but the words say whether they fit too:
"Matches 4 of your 5 skills; fits your 6 h/week; you said you want data work."
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

SKILL_WEIGHT = 0.55
DISCIPLINE_WEIGHT = 0.2
INTEREST_WEIGHT = 0.15
GOAL_WEIGHT = 0.1


@dataclass(frozen=True)
class StudentFacts:
    skill_slugs: tuple[str, ...] = ()
    levels: tuple[int, ...] = ()
    """The self-rated level (1..3) of each skill in ``skill_slugs``."""
    interests: tuple[str, ...] = ()
    disciplines: tuple[str, ...] = ()
    discipline_labels: tuple[str, ...] = ()
    career_goals: str = ""
    hours_per_week: int | None = None
    hours_taken: float = 0.0
    """Hours a week already taken by the student's other active projects."""
    available_from: date | None = None
    available_until: date | None = None


@dataclass(frozen=True)
class ProjectFacts:
    skill_slugs: tuple[str, ...]
    discipline: str
    discipline_label: str
    text: str
    """Title, summary and brief, for interests (compared in lowercase)."""
    estimated_hours: int
    starts: date
    ends: date
    skill_labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fit:
    score: float
    hours_per_week: float
    reason: str
    fits_hours: bool
    fits_dates: bool


def weekly_hours(estimated_hours: int, starts: date, ends: date) -> float:
    """A project's hours spread over its window, in whole weeks (at least one)."""
    weeks = max(1, math.ceil(((ends - starts).days + 1) / 7))
    return round(estimated_hours / weeks, 1)


def fit(student: StudentFacts, project: ProjectFacts) -> Fit:
    wanted = set(student.skill_slugs)
    have = set(project.skill_slugs)
    matched = [s for s in student.skill_slugs if s in have]
    level = dict(zip(student.skill_slugs, student.levels, strict=False))
    # Matched skills count by the student's confidence (level 3 counts fully, 1 a third).
    skill_part = (sum(level.get(s, 2) / 3 for s in matched) / len(wanted)) if wanted else 0.0
    discipline_part = 1.0 if project.discipline in student.disciplines else 0.0
    text = project.text.lower()
    touched = [i for i in student.interests if i.lower() in text]
    interest_part = len(touched) / len(student.interests) if student.interests else 0.0
    goals = student.career_goals.lower()
    in_goals = [label for label in (project.discipline_label, *project.skill_labels)
                if goals and re.search(rf"\b{re.escape(label.lower())}\b", goals)]
    score = round(SKILL_WEIGHT * skill_part + DISCIPLINE_WEIGHT * discipline_part
                  + INTEREST_WEIGHT * interest_part + GOAL_WEIGHT * bool(in_goals), 4)
    hours = weekly_hours(project.estimated_hours, project.starts, project.ends)
    free = None if student.hours_per_week is None else student.hours_per_week - student.hours_taken
    fits_hours = free is None or hours <= free + 1e-9
    fits_dates = not (
        (student.available_from and project.ends < student.available_from)
        or (student.available_until and project.starts > student.available_until)
    )
    parts = [_skills_words(len(matched), len(wanted))]
    parts.append(_hours_words(hours, student.hours_per_week, free, fits_hours))
    if not fits_dates:
        parts.append("runs outside the weeks you said you are available")
    if discipline_part:
        parts.append(f"you said you want {project.discipline_label.lower()} work")
    if touched:
        parts.append(f"touches on {_join(touched)}")
    if in_goals:
        parts.append(f"your career goals mention {_join([g.lower() for g in in_goals])}")
    reason = "; ".join(p for p in parts if p)
    return Fit(score=score, hours_per_week=hours, reason=reason[:1].upper() + reason[1:] + ".",
               fits_hours=fits_hours, fits_dates=fits_dates)


def _skills_words(matched: int, wanted: int) -> str:
    if not wanted:
        return "add skills to your profile to see how this fits"
    if not matched:
        return "uses none of your skills yet (a chance to learn)"
    return f"matches {matched} of your {wanted} skill{'s' if wanted != 1 else ''}"


def _hours_words(hours: float, stated: int | None, free: float | None, fits: bool) -> str:
    shown = f"{hours:g} h/week"
    if stated is None:
        return f"about {shown}"
    if fits:
        return f"fits your {stated} h/week ({shown})"
    left = max(0.0, free or 0.0)
    return f"needs {shown}, more than the {left:g} h/week you have left"


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
