"""The project form: text from the browser in, validated ProjectContent (or messages) out.

Every field is checked and every problem reported at once, keyed by field name, so the page
can show each message next to its field. Nothing is saved while any message remains.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Protocol

from catalog.projects.content import (
    MAX_CRITERIA,
    MAX_LEVELS,
    MAX_TEAM_SIZE,
    CriterionInput,
    LevelInput,
    ProjectContent,
)
from catalog.projects.models import (
    Compensation,
    Discipline,
    ProjectRevision,
    WorkMode,
)
from catalog.skills.service import MAX_SKILLS, normalise_all, split_list

MAX_HOURS = 400
MAX_CAPACITY = 200
CHECKBOXES = ("course_tied", "credit_bearing", "time_boxed")


class FormData(Protocol):
    def get(self, key: str, default: str) -> str: ...


@dataclass
class ProjectForm:
    """Raw values to show again, and a message per field that needs fixing."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    content: ProjectContent | None = None

    @property
    def criteria_slots(self) -> int:
        filled = sum(1 for i in range(MAX_CRITERIA) if self.values.get(f"c{i}_title"))
        return min(MAX_CRITERIA, max(3, filled + 2))

    def value(self, name: str) -> str:
        return self.values.get(name, "")


FIELD_NAMES = (
    "title", "summary", "brief_md", "deliverables", "skills", "discipline", "estimated_hours",
    "work_mode", "location", "compensation_type", "pay_amount", "pay_currency", "team_size",
    "capacity", "window_start", "window_end", *CHECKBOXES,
)


def _rubric_names() -> list[str]:
    names = []
    for i in range(MAX_CRITERIA):
        names += [f"c{i}_title", f"c{i}_description"]
        for j in range(MAX_LEVELS):
            names += [f"c{i}_l{j}_label", f"c{i}_l{j}_points", f"c{i}_l{j}_description"]
    return names


def parse(data: FormData) -> ProjectForm:
    """Validate a submitted project form."""
    values = {name: data.get(name, "").strip() for name in (*FIELD_NAMES, *_rubric_names())}
    values["brief_md"] = data.get("brief_md", "").strip()
    form = ProjectForm(values=values)
    parser = _Parser(form)
    content = parser.content()
    if not form.errors:
        form.content = content
    return form


class _Parser:
    def __init__(self, form: ProjectForm) -> None:
        self.form = form
        self.v = form.values

    def fail(self, name: str, message: str) -> None:
        self.form.errors.setdefault(name, message)

    def text(self, name: str, label: str, max_len: int, *, required: bool = True) -> str:
        value = self.v[name]
        if required and not value:
            self.fail(name, f"Enter {label}.")
        elif len(value) > max_len:
            self.fail(name, f"Keep {label} to {max_len} characters (now {len(value)}).")
        return value

    def integer(self, name: str, label: str, low: int, high: int) -> int:
        raw = self.v[name]
        try:
            value = int(raw)
        except ValueError:
            self.fail(name, f"Enter {label} as a whole number." if raw else f"Enter {label}.")
            return low
        if not low <= value <= high:
            self.fail(name, f"{label.capitalize()} must be between {low} and {high}.")
        return value

    def choice(self, name: str, label: str, options: list[str]) -> str:
        value = self.v[name]
        if value not in options:
            self.fail(name, f"Choose {label}.")
            return options[0]
        return value

    def day(self, name: str, label: str) -> date:
        raw = self.v[name]
        try:
            return date.fromisoformat(raw)
        except ValueError:
            self.fail(name, f"Enter {label} as a date (YYYY-MM-DD)." if raw else f"Enter {label}.")
            return date.min

    def content(self) -> ProjectContent:
        title = self.text("title", "a title", 120)
        summary = self.text("summary", "a one-line summary", 200)
        if "\n" in summary:
            self.fail("summary", "Keep the summary to one line.")
        brief = self.text("brief_md", "a brief", 20_000)
        deliverables = tuple(line.strip(" -*\t") for line in self.v["deliverables"].splitlines()
                             if line.strip(" -*\t"))
        if not deliverables:
            self.fail("deliverables", "List at least one deliverable, one per line.")
        elif len(deliverables) > 12 or any(len(d) > 300 for d in deliverables):
            self.fail("deliverables", "List at most 12 deliverables of up to 300 characters.")
        skills = tuple(normalise_all(split_list(self.v["skills"])))
        if not skills:
            self.fail("skills", "Name at least one skill the project uses.")
        elif len(skills) > MAX_SKILLS:
            self.fail("skills", f"Name at most {MAX_SKILLS} skills.")
        discipline = self.choice("discipline", "a discipline", [d.value for d in Discipline])
        hours = self.integer("estimated_hours", "the estimated hours", 1, MAX_HOURS)
        work_mode = self.choice("work_mode", "where the work happens",
                                [m.value for m in WorkMode])
        location = self.text("location", "a location", 200, required=work_mode != "remote")
        comp = self.choice("compensation_type", "how the project is compensated",
                           [c.value for c in Compensation])
        amount, currency = self.pay(comp)
        team_size = self.integer("team_size", "the team size", 1, MAX_TEAM_SIZE)
        capacity = self.integer("capacity", "the capacity", 1, MAX_CAPACITY)
        start = self.day("window_start", "the first day of the window")
        end = self.day("window_end", "the last day of the window")
        if start != date.min and end != date.min and end < start:
            self.fail("window_end", "The window must end on or after the day it starts.")
        return ProjectContent(
            title=title, summary=summary, brief_md=brief, deliverables=deliverables,
            skills=skills, discipline=discipline, estimated_hours=hours, work_mode=work_mode,
            location=location if work_mode != "remote" else "", compensation_type=comp,
            pay_amount=amount, pay_currency=currency,
            course_tied=self.v["course_tied"] == "on",
            credit_bearing=self.v["credit_bearing"] == "on",
            time_boxed=self.v["time_boxed"] == "on",
            team_size=team_size, capacity=capacity, window_start=start, window_end=end,
            rubric=self.rubric(),
        )

    def pay(self, comp: str) -> tuple[Decimal | None, str]:
        if comp == Compensation.UNPAID:
            return None, ""
        raw = self.v["pay_amount"].replace(",", "")
        try:
            amount = Decimal(raw)
        except InvalidOperation:
            self.fail("pay_amount", "Enter the total pay as a number, like 800 or 1250.50."
                      if raw else "Enter the total the project pays.")
            return None, ""
        if not amount.is_finite() or amount <= 0 or amount >= Decimal("10000000"):
            self.fail("pay_amount", "Enter an amount above zero.")
        currency = self.v["pay_currency"].upper()
        if len(currency) != 3 or not currency.isalpha():
            self.fail("pay_currency", "Choose the currency.")
        return amount.quantize(Decimal("0.01")) if amount.is_finite() else None, currency

    def rubric(self) -> tuple[CriterionInput, ...]:
        criteria = []
        for i in range(MAX_CRITERIA):
            criterion = self.criterion(i)
            if criterion is not None:
                criteria.append(criterion)
        if not criteria:
            self.fail("rubric", "Add at least one rubric criterion with its levels.")
        return tuple(criteria)

    def criterion(self, i: int) -> CriterionInput | None:
        title = self.v[f"c{i}_title"]
        levels = []
        for j in range(MAX_LEVELS):
            label = self.v[f"c{i}_l{j}_label"]
            points_raw = self.v[f"c{i}_l{j}_points"]
            if not label and not points_raw:
                continue
            name = f"c{i}_l{j}_points"
            if not label:
                self.fail(f"c{i}_l{j}_label", "Name this level, or clear its points.")
            if len(label) > 60:
                self.fail(f"c{i}_l{j}_label", "Keep level names to 60 characters.")
            try:
                points = int(points_raw)
                if not 0 <= points <= 1000:
                    raise ValueError
            except ValueError:
                self.fail(name, "Give points as a whole number from 0 to 1000.")
                points = 0
            levels.append(LevelInput(label=label, points=points,
                                     description=self.v[f"c{i}_l{j}_description"][:500]))
        if not title and not levels:
            return None
        if not title:
            self.fail(f"c{i}_title", "Name this criterion, or clear its levels.")
        elif len(title) > 120:
            self.fail(f"c{i}_title", "Keep criterion names to 120 characters.")
        if len(levels) < 2:
            self.fail(f"c{i}_title", "Give each criterion at least two levels with points.")
        elif len({lv.label.lower() for lv in levels}) != len(levels):
            self.fail(f"c{i}_title", "Give each level of a criterion a different name.")
        elif max(lv.points for lv in levels) == 0:
            self.fail(f"c{i}_title", "At least one level of a criterion must earn points.")
        return CriterionInput(title=title, description=self.v[f"c{i}_description"][:1000],
                              levels=tuple(levels))


def values_of(revision: ProjectRevision) -> dict[str, str]:
    """A revision's content as form values (to edit it)."""
    values = {
        "title": revision.title, "summary": revision.summary, "brief_md": revision.brief_md,
        "deliverables": "\n".join(revision.deliverables),
        "skills": ", ".join(revision.skill_labels), "discipline": revision.discipline,
        "estimated_hours": str(revision.estimated_hours), "work_mode": revision.work_mode,
        "location": revision.location, "compensation_type": revision.compensation_type,
        "pay_amount": "" if revision.pay_amount is None else str(revision.pay_amount),
        "pay_currency": revision.pay_currency, "team_size": str(revision.team_size),
        "capacity": str(revision.capacity), "window_start": revision.window_start.isoformat(),
        "window_end": revision.window_end.isoformat(),
    }
    for name in CHECKBOXES:
        values[name] = "on" if getattr(revision, name) else ""
    for i, criterion in enumerate(revision.criteria):
        values[f"c{i}_title"] = criterion.title
        values[f"c{i}_description"] = criterion.description
        for j, level in enumerate(criterion.levels):
            values[f"c{i}_l{j}_label"] = level.label
            values[f"c{i}_l{j}_points"] = str(level.points)
            values[f"c{i}_l{j}_description"] = level.description
    return values
