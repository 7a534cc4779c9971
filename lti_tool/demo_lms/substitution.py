"""Custom parameter substitution variables (LTI Core 1.3 appendix, Canvas's own list).

A variable the platform does not know is sent literally, e.g. "$Canvas.assignment.dueAt.iso8601",
as Canvas's variable substitution docs describe; Moodle behaves the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from .model import Course, LineItem, ResourceLink, ToolRegistration, User


@dataclass(frozen=True)
class Context:
    """What a variable can be expanded from."""

    base_url: str
    tool: ToolRegistration
    user: User
    course: Course | None
    link: ResourceLink | None
    line_item: LineItem | None


Expander = Callable[[Context], str | None]


def _iso(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def _due(ctx: Context) -> str | None:
    # Only defined for a graded link (Canvas: an assignment); empty when it has no due date.
    return _iso(ctx.line_item.end_at) if ctx.line_item else None


def _name(ctx: Context, value: str) -> str | None:
    return value if ctx.tool.shares_name else None


COMMON: dict[str, Expander] = {
    "$User.id": lambda c: c.user.numeric_id,
    "$Person.name.full": lambda c: _name(c, c.user.name),
    "$Person.name.given": lambda c: _name(c, c.user.given_name),
    "$Person.name.family": lambda c: _name(c, c.user.family_name),
    "$Person.email.primary": lambda c: c.user.email if c.tool.shares_email else None,
    "$Person.address.timezone": lambda c: c.user.timezone or None,
    "$Context.id": lambda c: c.course.context_id if c.course else None,
    "$Context.title": lambda c: c.course.title if c.course else None,
    "$Context.label": lambda c: c.course.label if c.course else None,
    "$ResourceLink.id": lambda c: c.link.id if c.link else None,
    "$ResourceLink.title": lambda c: c.link.title if c.link else None,
}

CANVAS_ONLY: dict[str, Expander] = {
    "$Context.id.history": lambda c: ",".join(c.course.context_history) if c.course else None,
    "$ResourceLink.id.history": lambda c: ",".join(c.link.history) if c.link else None,
    "$ResourceLink.submission.endDateTime": _due,
    "$Canvas.assignment.dueAt.iso8601": _due,
    "$Canvas.assignment.id": lambda c: c.line_item.id if c.line_item else None,
    "$Canvas.assignment.pointsPossible": lambda c: f"{c.line_item.score_maximum:g}" if c.line_item else None,
    "$Canvas.user.id": lambda c: c.user.numeric_id,
    "$Canvas.course.id": lambda c: c.course.id if c.course else None,
    "$Canvas.api.domain": lambda c: urlsplit(c.base_url).netloc,
}


def variables(flavour: str) -> dict[str, Expander]:
    """The variables a flavour supports."""
    return {**COMMON, **CANVAS_ONLY} if flavour == "canvas" else dict(COMMON)


def expand(flavour: str, custom: dict[str, str], ctx: Context) -> dict[str, str]:
    """Substitute known variables; leave unknown or unavailable ones as their literal name."""
    table = variables(flavour)
    expanded: dict[str, str] = {}
    for key, value in custom.items():
        expander = table.get(value) if isinstance(value, str) else None
        result = expander(ctx) if expander else None
        expanded[key] = value if result is None else result
    return expanded
