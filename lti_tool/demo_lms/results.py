"""AGS 2.0 results: the stored grades of a line item, paged."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .errors import canvas_error
from .model import LineItem, Result
from .paging import Page, paginate
from .timeutil import iso

if TYPE_CHECKING:
    from .platform import Platform


def to_json(platform: Platform, item: LineItem, result: Result) -> dict[str, Any]:
    """One result as AGS JSON."""
    base = platform.results_url(item)
    # Moodle's results URL has ?type_id=, so the user goes in as one more parameter.
    result_id = f"{base}/{result.id}" if platform.is_canvas else f"{base}&user_id={result.user_id}"
    body: dict[str, Any] = {
        "id": result_id,
        "scoreOf": platform.line_item_url(item),
        "userId": result.user_id,
        "resultMaximum": item.score_maximum,
        "timestamp": iso(result.timestamp),
    }
    if result.score is not None:
        body["resultScore"] = result.score
    if result.comment:
        body["comment"] = result.comment
    return body


def list_results(
    platform: Platform, item: LineItem, args: Mapping[str, str], url: str
) -> Page[dict[str, Any]]:
    """Results of a line item, optionally for one user_id, paged."""
    with platform.lock:
        wanted = args.get("user_id")
        rows = [
            result
            for result in platform.state.results.values()
            if result.line_item_id == item.id and wanted in (None, result.user_id)
        ]
        page = paginate(platform, rows, args, url)
        return Page([to_json(platform, item, row) for row in page.items], page.link)


def show(platform: Platform, item: LineItem, result_id: str) -> dict[str, Any]:
    """One result of a line item by id, or 404."""
    with platform.lock:
        for result in platform.state.results.values():
            if result.line_item_id == item.id and result.id == result_id:
                return to_json(platform, item, result)
    raise canvas_error(404, "result not found")
