"""AGS 2.0 results: the stored grades of a line item, paged, as each flavour shows them.

Canvas (``Lti::Ims::ResultsSerializer``): id, scoreOf, userId, resultScore, resultMaximum and
comment, nulls left out; no timestamp. Moodle (``gradebookservices::result_for_json``): only
grades that were ever modified are listed; resultScore, resultMaximum, comment, scoreOf and
``timestamp`` (the grade's time modified, which a score POST sets to its own timestamp) only
when there is a grade.
"""

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
    body: dict[str, Any] = {"id": result_id, "userId": result.user_id}
    if platform.is_canvas:
        body.update(scoreOf=platform.line_item_url(item), resultScore=result.score,
                    resultMaximum=item.score_maximum, comment=result.comment)
        return {key: value for key, value in body.items() if value is not None}
    if result.score:  # PHP's empty(): no grade, or a grade of 0, shows only the id and user
        body.update(resultScore=result.score, resultMaximum=item.score_maximum,
                    scoreOf=platform.line_item_url(item), timestamp=iso(result.timestamp))
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
