"""Deep Linking 2.0: the request settings a platform sends and the response it accepts.

The response is checked the way Canvas's DeepLinkingJwt does: signature against the tool's
JWKS URL (cached 5 minutes), iss = client_id, aud = the platform issuer, exp/iat, nonce,
deployment_id, message type, version and the echoed `data`.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .errors import PlatformError
from .model import Course, DeepLinkOutcome, DeepLinkRequest, ToolRegistration, User
from .timeutil import parse_iso
from .tool_keys import ToolJwtError, decode_tool_jwt
from .vocab import DL, DL_CONTENT_ITEMS, DL_DATA, LTI, MSG_DEEP_LINKING_RESPONSE

if TYPE_CHECKING:
    from .platform import Platform

MESSAGE_CLAIMS = ("msg", "errormsg", "log", "errorlog")
# Canvas turns a lineItem into an assignment only from these placements.
CANVAS_LINE_ITEM_PLACEMENTS = (
    "link_selection",
    "assignment_selection",
    "course_assignments_menu",
    "module_index_menu_modal",
    "module_menu_modal",
)
CANVAS_EDITOR_TYPES = ["link", "file", "html", "ltiResourceLink", "image"]


def new_request(
    platform: Platform,
    tool: ToolRegistration,
    user: User,
    course: Course,
    *,
    deployment_id: str,
    placement: str = "link_selection",
    settings: dict[str, Any] | None = None,
) -> DeepLinkRequest:
    """Record a pending deep linking request; `settings` overrides the flavour's defaults."""
    with platform.lock:
        ref = secrets.token_urlsafe(12)
        return_url = platform.url("deep_link_return", cid=course.id, tid=tool.type_id, ref=ref)
        merged = {**_default_settings(platform, placement), "deep_link_return_url": return_url}
        merged.update(settings or {})
        merged = {key: value for key, value in merged.items() if value is not None}
        request = DeepLinkRequest(
            ref, tool.client_id, deployment_id, course.id, user.user_id, placement, merged
        )
        platform.state.deep_link_requests[ref] = request
        return request


def _default_settings(platform: Platform, placement: str) -> dict[str, Any]:
    common = {
        "accept_types": ["ltiResourceLink"],
        "accept_presentation_document_targets": ["iframe", "window"],
        "accept_lineitem": True,
        "data": secrets.token_urlsafe(24),
    }
    if platform.is_canvas:
        # Canvas: assignment_selection fills one assignment; module/link selection takes many.
        single = placement == "assignment_selection"
        editor = placement == "editor_button"
        return {
            **common,
            "accept_types": CANVAS_EDITOR_TYPES if editor else ["ltiResourceLink"],
            "accept_media_types": "application/vnd.ims.lti.v1.ltilink",
            "accept_multiple": not single,
            "accept_lineitem": placement in CANVAS_LINE_ITEM_PLACEMENTS,
            "auto_create": not single,
        }
    return {
        **common,
        "accept_presentation_document_targets": ["frame", "iframe", "window"],
        "accept_multiple": True,
        "accept_copy_advice": False,
        "accept_unsigned": False,
        "auto_create": False,
        "can_confirm": False,
        "title": "",
        "text": "",
    }


def handle_response(platform: Platform, ref: str | None, token: str | None) -> DeepLinkOutcome:
    """Verify a LtiDeepLinkingResponse JWT and create what it asks for."""
    request = platform.state.deep_link_requests.get(ref or "")
    if request is None:
        raise _error("unknown or expired deep linking request")
    if not token:
        raise _error("the JWT form field is missing")
    tool = platform.get_tool(request.client_id)
    if not tool.active:
        raise _error("the developer key is not active")
    claims = _verify(platform, tool, request, token)
    items = claims.get(DL_CONTENT_ITEMS) or []
    messages = {name: str(claims[DL + name]) for name in MESSAGE_CLAIMS if DL + name in claims}
    _check_items(request, items)
    with platform.lock:
        outcome = DeepLinkOutcome(request.ref, tool.client_id, "cancelled", messages=messages)
        for item in items:
            _create(platform, request, tool, item, outcome)
        if items:
            outcome.status = "created"
        platform.state.deep_link_outcomes.append(outcome)
        return outcome


def _verify(
    platform: Platform, tool: ToolRegistration, request: DeepLinkRequest, token: str
) -> dict[str, Any]:
    try:
        claims = decode_tool_jwt(
            platform.tool_keys,
            tool,
            token,
            audience=[platform.issuer],
            required=["iss", "aud", "exp", "iat"],
        )
    except ToolJwtError as error:
        raise _error(str(error)) from error
    expected = {
        "iss": tool.client_id,
        LTI + "deployment_id": request.deployment_id,
        LTI + "message_type": MSG_DEEP_LINKING_RESPONSE,
        LTI + "version": "1.3.0",
    }
    for claim, value in expected.items():
        if claims.get(claim) != value:
            raise _error(f"{claim} must be {value!r}, got {claims.get(claim)!r}")
    if not claims.get("nonce"):
        raise _error("nonce is required")
    sent = request.settings.get("data")
    if sent is not None and claims.get(DL_DATA) != sent:
        raise _error(f"{DL_DATA} must echo the request's data")
    return claims


def _check_items(request: DeepLinkRequest, items: Any) -> None:
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise _error(f"{DL_CONTENT_ITEMS} must be an array of objects")
    if len(items) > 1 and not request.settings.get("accept_multiple", False):
        raise _error("multiple content items are not accepted here")
    accepted = request.settings.get("accept_types", [])
    for item in items:
        if item.get("type") not in accepted:
            raise _error(f"content item type {item.get('type')!r} is not accepted")
        line_item = item.get("lineItem")
        if line_item is not None and not isinstance(line_item, dict):
            raise _error("lineItem must be an object")
        if line_item is not None and not _is_number(line_item.get("scoreMaximum")):
            raise _error("lineItem.scoreMaximum is a required field")
        _submission_due(item)
        custom = item.get("custom", {})
        if not isinstance(custom, dict) or not all(isinstance(v, str) for v in custom.values()):
            raise _error("custom must be an object of string values")


def _create(
    platform: Platform,
    request: DeepLinkRequest,
    tool: ToolRegistration,
    item: dict[str, Any],
    outcome: DeepLinkOutcome,
) -> None:
    outcome.items.append(item)
    if item.get("type") != "ltiResourceLink":
        return
    line_item = item.get("lineItem")
    if platform.is_canvas and request.placement not in CANVAS_LINE_ITEM_PLACEMENTS:
        line_item = None  # an editor or menu placement makes a plain link
    # Canvas: lineItem.label overrides title, and a new assignment starts unpublished.
    title = (line_item or {}).get("label") or item.get("title") or tool.name
    link = platform.add_resource_link(
        request.course_id,
        tool,
        title=str(title),
        text=str(item.get("text", "")),
        url=item.get("url"),
        custom=item.get("custom") or {},
        published=not (platform.is_canvas and line_item is not None),
    )
    outcome.resource_link_ids.append(link.id)
    if line_item is not None:
        created = platform.add_line_item(
            request.course_id,
            tool,
            label=str(title),
            score_maximum=float(line_item["scoreMaximum"]),
            resource_link=link,
            resource_id=line_item.get("resourceId"),
            tag=line_item.get("tag"),
            end_at=_due(platform, item),
        )
        outcome.line_item_ids.append(created.id)


def _due(platform: Platform, item: dict[str, Any]) -> datetime | None:
    # Canvas maps submission.endDateTime to the assignment's due_at; Moodle ignores it.
    return _submission_due(item) if platform.is_canvas else None


def _submission_due(item: dict[str, Any]) -> datetime | None:
    value = (item.get("submission") or {}).get("endDateTime")
    try:
        return None if value is None else parse_iso(value)
    except ValueError as error:
        raise _error("submission.endDateTime must be ISO 8601") from error


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _error(message: str) -> PlatformError:
    return PlatformError(400, {"errors": [{"message": message}]})
