"""The placement settings form: points, due date, team size and grade release mode.

One form per placed project, its fields prefixed (``p0-points``), so the deep linking picker
can configure several projects at once and the settings page one. Every problem is reported
against its field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from config import timezones
from grading.placements.models import ReleaseMode
from grading.placements.service import PlacementSettings

MAX_POINTS = 10_000.0
MAX_TITLE = 120
MAX_TEAM = 6


@dataclass
class SettingsForm:
    """The values as sent (to show again) and a message per field name."""

    prefix: str
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    # The zone the due date is typed in; None is UTC until the browser names its own.
    zone: tzinfo | None = None

    @property
    def zone_known(self) -> bool:
        return self.zone is not None

    @property
    def zone_label(self) -> str:
        return timezones.zone_label(self.zone)

    def name(self, field_name: str) -> str:
        return f"{self.prefix}-{field_name}"

    def value(self, field_name: str) -> str:
        return self.values.get(field_name, "")

    def error(self, field_name: str) -> str:
        return self.errors.get(self.name(field_name), "")


def initial(prefix: str, settings: PlacementSettings, zone: tzinfo | None = None) -> SettingsForm:
    """The form filled with existing or suggested settings, the due date in ``zone``."""
    return SettingsForm(
        prefix, zone=zone,
        values={
            "title": settings.title,
            "points": f"{settings.score_maximum:g}",
            "due": timezones.input_value(settings.due_at, zone),
            "team_size": str(settings.team_size),
            "release_mode": ReleaseMode(settings.release_mode).value,
        },
    )


def parse(prefix: str, data: Mapping[str, str],
          zone: tzinfo | None = None) -> tuple[SettingsForm, PlacementSettings | None]:
    """Read one project's settings, the due date typed in ``zone``; None with errors when wrong."""
    form = SettingsForm(prefix, zone=zone)
    for name in ("points", "due", "team_size", "release_mode"):
        form.values[name] = str(data.get(form.name(name), "")).strip()[:40]
    form.values["title"] = " ".join(str(data.get(form.name("title"), "")).split())[:MAX_TITLE + 1]
    title = _title(form)
    points = _points(form)
    due = _due(form)
    team = _team(form)
    mode = _mode(form)
    if form.errors or points is None or team is None or mode is None:
        return form, None
    return form, PlacementSettings(
        title=title, score_maximum=points, due_at=due, team_size=team, release_mode=mode
    )


def _title(form: SettingsForm) -> str:
    title = form.value("title")
    if not title:
        form.errors[form.name("title")] = "Enter the activity's name, as the gradebook shows it."
    elif len(title) > MAX_TITLE:
        form.errors[form.name("title")] = f"Keep the name to {MAX_TITLE} characters or fewer."
    return title


def _points(form: SettingsForm) -> float | None:
    raw = form.value("points")
    try:
        points = float(raw)
    except ValueError:
        form.errors[form.name("points")] = "Enter the points as a number, such as 100."
        return None
    # Canvas and pylti1p3 refuse a zero or negative scoreMaximum: check what is stored (two
    # decimals), so 0.001 does not become 0.
    points = round(points, 2) if math.isfinite(points) else points
    if not 0 < points <= MAX_POINTS:
        form.errors[form.name("points")] = f"Enter points greater than 0 and at most {MAX_POINTS:g}."
        return None
    return points


def _due(form: SettingsForm) -> datetime | None:
    raw = form.value("due")
    if not raw:
        return None
    try:
        return timezones.parse_local(raw, form.zone)
    except ValueError:
        form.errors[form.name("due")] = "Enter the due date and time as 2026-05-01T17:00, or leave it empty."
        return None


def _team(form: SettingsForm) -> int | None:
    raw = form.value("team_size") or "1"
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_TEAM:
        form.errors[form.name("team_size")] = f"Choose a team size from 1 (individual) to {MAX_TEAM}."
        return None
    return int(raw)


def _mode(form: SettingsForm) -> ReleaseMode | None:
    try:
        return ReleaseMode(form.value("release_mode"))
    except ValueError:
        form.errors[form.name("release_mode")] = "Choose how grades are released."
        return None
