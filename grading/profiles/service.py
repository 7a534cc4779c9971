"""Reading and saving a student's profile, and turning it into the facts matching reads.

The profile is the student's own: read and written only for the person of the launch, never
for anyone else, and never shown to an employer without the student's consent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.matching.fit import StudentFacts
from catalog.projects.models import Discipline
from catalog.skills.service import MAX_SKILLS, normalise, split_list
from config.database import utcnow
from grading.profiles.models import RatedSkill, StudentProfile

LEVELS = {1: "Beginner", 2: "Working knowledge", 3: "Confident"}
MAX_INTERESTS = 10
MAX_GOALS = 2000
MAX_HOURS = 60


@dataclass
class ProfileForm:
    """What was sent (to show again) and a message per field."""

    values: dict[str, str] = field(default_factory=dict)
    skills: list[RatedSkill] = field(default_factory=list)
    disciplines: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


def profile_of(session: Session, *, person_id: int) -> StudentProfile | None:
    return session.scalar(select(StudentProfile).where(StudentProfile.person_id == person_id))


def form_for(profile: StudentProfile | None) -> ProfileForm:
    if profile is None:
        return ProfileForm(values={"share": ""})
    return ProfileForm(
        values={
            "interests": ", ".join(profile.interests),
            "career_goals": profile.career_goals,
            "hours_per_week": "" if profile.hours_per_week is None else str(profile.hours_per_week),
            "available_from": profile.available_from.isoformat() if profile.available_from else "",
            "available_until": profile.available_until.isoformat() if profile.available_until else "",
            "share": "yes" if profile.shared_with_employers_at else "",
        },
        skills=list(profile.skills), disciplines=list(profile.disciplines),
    )


def parse(data: Mapping[str, str], skill_rows: list[tuple[str, str]], disciplines: list[str]) -> ProfileForm:
    """Read the form; ``skill_rows`` are (skill as typed, level) pairs, blank rows ignored."""
    form = ProfileForm()
    for name in ("interests", "hours_per_week", "available_from", "available_until", "share"):
        form.values[name] = str(data.get(name, "")).strip()[:500]
    form.values["career_goals"] = str(data.get("career_goals", "")).strip()
    if len(form.values["career_goals"]) > MAX_GOALS:
        form.errors["career_goals"] = f"Keep your career goals under {MAX_GOALS} characters."
    _skills(form, skill_rows)
    known = {d.value for d in Discipline}
    form.disciplines = [d for d in dict.fromkeys(disciplines) if d in known]
    if len(form.disciplines) != len(set(disciplines)):
        form.errors["disciplines"] = "Choose disciplines from the list."
    _hours(form)
    _dates(form)
    return form


def _skills(form: ProfileForm, rows: list[tuple[str, str]]) -> None:
    seen: set[str] = set()
    for typed, level in rows:
        skill = normalise(typed[:100])
        if skill is None:
            continue
        if skill.slug in seen:
            continue
        seen.add(skill.slug)
        rated = int(level) if level in ("1", "2", "3") else 0
        if not rated:
            form.errors["skills"] = f"Choose how well you know {skill.label}."
            rated = 2
        form.skills.append(RatedSkill(label=skill.label, slug=skill.slug, level=rated))
    if len(form.skills) > MAX_SKILLS:
        form.errors["skills"] = f"List at most {MAX_SKILLS} skills: the ones you most want to use."


def _hours(form: ProfileForm) -> None:
    raw = form.values["hours_per_week"]
    if raw and not (raw.isdigit() and 1 <= int(raw) <= MAX_HOURS):
        form.errors["hours_per_week"] = f"Hours a week: a whole number from 1 to {MAX_HOURS}, or blank."


def _dates(form: ProfileForm) -> None:
    parsed: dict[str, date | None] = {}
    for name in ("available_from", "available_until"):
        raw = form.values[name]
        try:
            parsed[name] = date.fromisoformat(raw) if raw else None
        except ValueError:
            form.errors[name] = "Write the date as YYYY-MM-DD (or use the date picker)."
    start, end = parsed.get("available_from"), parsed.get("available_until")
    if start and end and end < start:
        form.errors["available_until"] = "The last available day comes after the first."


def interests_of(form: ProfileForm) -> list[str]:
    topics = [" ".join(t.split())[:60] for t in split_list(form.values.get("interests", ""))]
    return [t for t in dict.fromkeys(topics) if t][:MAX_INTERESTS]


def save(session: Session, *, person_id: int, form: ProfileForm) -> StudentProfile:
    """Store a valid form as the person's profile (created on first save)."""
    assert not form.errors
    profile = profile_of(session, person_id=person_id)
    if profile is None:
        profile = StudentProfile(person_id=person_id)
        session.add(profile)
    profile.skills = form.skills
    profile.interests = interests_of(form)
    profile.career_goals = form.values["career_goals"]
    profile.disciplines = form.disciplines
    hours = form.values["hours_per_week"]
    profile.hours_per_week = int(hours) if hours else None
    start, end = form.values["available_from"], form.values["available_until"]
    profile.available_from = date.fromisoformat(start) if start else None
    profile.available_until = date.fromisoformat(end) if end else None
    if form.values["share"] == "yes":
        profile.shared_with_employers_at = profile.shared_with_employers_at or utcnow()
    else:
        profile.shared_with_employers_at = None
    profile.updated_at = utcnow()
    session.flush()
    return profile


def facts(profile: StudentProfile | None, *, hours_taken: float = 0.0) -> StudentFacts:
    """What matching reads: an absent profile is an empty one (no limits, no skills)."""
    if profile is None:
        return StudentFacts(hours_taken=hours_taken)
    return StudentFacts(
        skill_slugs=tuple(s["slug"] for s in profile.skills),
        levels=tuple(int(s["level"]) for s in profile.skills),
        interests=tuple(profile.interests),
        disciplines=tuple(profile.disciplines),
        discipline_labels=tuple(Discipline(d).label for d in profile.disciplines),
        career_goals=profile.career_goals,
        hours_per_week=profile.hours_per_week,
        hours_taken=hours_taken,
        available_from=profile.available_from,
        available_until=profile.available_until,
    )
