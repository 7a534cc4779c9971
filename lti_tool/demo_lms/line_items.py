"""AGS 2.0 line items: list, create, show, update, delete, with each LMS's access rules."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .errors import PlatformError, canvas_error
from .model import Course, LineItem, ToolRegistration
from .paging import Page, paginate
from .timeutil import iso, parse_iso

if TYPE_CHECKING:
    from .platform import Platform

SUBMISSION_TYPE = "https://canvas.instructure.com/lti/submission_type"
LAUNCH_URL = "https://canvas.instructure.com/lti/launch_url"
_FILTERS = {"resource_link_id": "resource_link_id", "resource_id": "resource_id", "tag": "tag"}


def to_json(platform: Platform, item: LineItem, *, launch_url: bool = False) -> dict[str, Any]:
    """The line item as AGS JSON."""
    body: dict[str, Any] = {
        "id": platform.line_item_url(item),
        "scoreMaximum": item.score_maximum,
        "label": item.label,
    }
    optional = {
        "resourceLinkId": item.resource_link_id,
        "resourceId": item.resource_id,
        "tag": item.tag,
        "startDateTime": iso(item.start_at),
        "endDateTime": iso(item.end_at),
    }
    body.update({key: value for key, value in optional.items() if value is not None})
    body.update(item.extensions)
    if launch_url and item.resource_link_id:
        link = platform.state.links[item.resource_link_id]
        body[LAUNCH_URL] = link.url or platform.get_tool(item.client_id).target_link_uri
    return body


def list_items(
    platform: Platform, tool: ToolRegistration, course: Course, args: Mapping[str, str], url: str
) -> Page[dict[str, Any]]:
    """The tool's line items in a course, filtered and paged."""
    with platform.lock:
        items = [
            item
            for item in platform.state.line_items.values()
            if item.course_id == course.id
            and item.client_id == tool.client_id
            and all(args.get(p) in (None, getattr(item, a)) for p, a in _FILTERS.items())
        ]
        page = paginate(platform, items, args, url)
        launch = "launch_url" in args.get("include[]", "")
        return Page([to_json(platform, i, launch_url=launch) for i in page.items], page.link)


def create(platform: Platform, tool: ToolRegistration, course: Course, body: Any) -> LineItem:
    """Create a line item from AGS JSON; label and scoreMaximum are required."""
    fields = _fields(platform, body, creating=True)
    link_id = body.get("resourceLinkId")
    with platform.lock:
        link = platform.state.links.get(link_id) if link_id else None
        if link_id and (link is None or link.course_id != course.id):
            raise _error(platform, 404, "resourceLinkId is not a link in this course")
        extensions = {SUBMISSION_TYPE: body[SUBMISSION_TYPE]} if SUBMISSION_TYPE in body else {}
        # Canvas: without resourceLinkId the item is a placeholder assignment (a bare column).
        return platform.add_line_item(course, tool, resource_link=link, extensions=extensions, **fields)


def find(platform: Platform, tool: ToolRegistration, course: Course, item_id: str) -> LineItem:
    """The line item of a URL, if this tool may use it."""
    item = platform.state.line_items.get(item_id)
    if item is None or item.course_id != course.id:
        raise _error(platform, 404, "line item not found")
    if item.client_id != tool.client_id:
        # Canvas answers 412 to a tool that did not create the item; Moodle 403.
        status = 412 if platform.is_canvas else 403
        raise _error(platform, status, "Tool does not have permission to view line_item")
    return item


def update(platform: Platform, item: LineItem, body: Any) -> LineItem:
    """Apply a PUT of AGS JSON (the resource link cannot change)."""
    fields = _fields(platform, body, creating=False)
    with platform.lock:
        for name, value in fields.items():
            setattr(item, name, value)
        return item


def delete(platform: Platform, item: LineItem) -> None:
    """Remove a line item and its results."""
    with platform.lock:
        state = platform.state
        state.line_items.pop(item.id, None)
        for key in [k for k, r in state.results.items() if r.line_item_id == item.id]:
            del state.results[key]
        for link in state.links.values():
            if link.line_item_id == item.id:
                link.line_item_id = None


def _fields(platform: Platform, body: Any, *, creating: bool) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise _error(platform, 400, "body must be a JSON object")
    if creating and (not body.get("label") or "scoreMaximum" not in body):
        raise _error(platform, 400, "label and scoreMaximum are required")
    fields: dict[str, Any] = {}
    if "label" in body:
        fields["label"] = str(body["label"])
    if "scoreMaximum" in body:
        maximum = body["scoreMaximum"]
        if not isinstance(maximum, int | float) or isinstance(maximum, bool) or maximum < 0:
            raise _error(platform, 400, "scoreMaximum must be a number >= 0")
        fields["score_maximum"] = float(maximum)
    for key, name in (("resourceId", "resource_id"), ("tag", "tag")):
        if key in body:
            fields[name] = body[key]
    for key, name in (("startDateTime", "start_at"), ("endDateTime", "end_at")):
        if key in body:
            fields[name] = _date(platform, body[key])
    return fields


def _date(platform: Platform, value: Any) -> datetime | None:
    try:
        return None if value is None else parse_iso(value)
    except ValueError as error:
        raise _error(platform, 400, f"not an ISO 8601 date: {value!r}") from error


def _error(platform: Platform, status: int, message: str) -> PlatformError:
    return canvas_error(status, message) if platform.is_canvas else PlatformError(status, message)
