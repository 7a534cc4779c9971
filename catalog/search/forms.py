"""Search parameters from a query string, checked, with a message per field."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from catalog.projects.models import Compensation, Discipline
from catalog.search.service import MAX_PER_PAGE, SearchFilters, SortOrder
from catalog.skills.service import split_list


class Args(Protocol):
    def get(self, key: str, default: str) -> str: ...

    def getlist(self, key: str) -> list[str]: ...


@dataclass
class SearchRequest:
    query: str = ""
    filters: SearchFilters = field(default_factory=SearchFilters)
    sort: SortOrder = SortOrder.RELEVANCE
    page: int = 1
    per_page: int = 20
    values: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def args(self, **changes: object) -> dict[str, object]:
        """The query-string arguments for a link to another page of these results."""
        result: dict[str, object] = {k: v for k, v in self.values.items() if v}
        result.update({k: v for k, v in self.lists.items() if v})
        result.update(changes)
        return result


def _whole(req: SearchRequest, name: str, label: str, low: int, high: int) -> int | None:
    raw = req.value(name)
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        req.errors[name] = f"Enter {label} as a whole number."
        return None
    if not low <= value <= high:
        req.errors[name] = f"Enter {label} between {low} and {high}."
        return None
    return value


def parse(args: Args, *, today: date | None = None) -> SearchRequest:
    """Read search arguments; a bad one is reported and ignored, the rest still apply."""
    names = ("q", "skills", "hours_min", "hours_max", "team_size", "remote", "open_now",
             "sort", "page", "per_page")
    req = SearchRequest(values={n: args.get(n, "").strip()[:200] for n in names})
    req.lists = {
        "discipline": [d for d in args.getlist("discipline") if d in set(Discipline)],
        "compensation": [c for c in args.getlist("compensation") if c in set(Compensation)],
    }
    req.query = req.value("q")
    hours_min = _whole(req, "hours_min", "the fewest hours", 0, 1000)
    hours_max = _whole(req, "hours_max", "the most hours", 0, 1000)
    if hours_min is not None and hours_max is not None and hours_min > hours_max:
        req.errors["hours_max"] = "The most hours must be at least the fewest hours."
        hours_max = None
    team = _whole(req, "team_size", "the team size", 1, 6)
    try:
        req.sort = SortOrder(req.value("sort") or SortOrder.RELEVANCE)
    except ValueError:
        req.errors["sort"] = "Choose one of the sort orders."
    req.page = _whole(req, "page", "the page", 1, 100_000) or 1
    req.per_page = _whole(req, "per_page", "the page size", 1, MAX_PER_PAGE) or 20
    req.filters = SearchFilters(
        skills=tuple(split_list(req.value("skills"))),
        disciplines=tuple(req.lists["discipline"]),
        hours_min=hours_min, hours_max=hours_max,
        compensation=tuple(req.lists["compensation"]),
        team_size=team, remote_only=req.value("remote") == "on",
        open_on=(today or date.today()) if req.value("open_now") == "on" else None,
    )
    return req
