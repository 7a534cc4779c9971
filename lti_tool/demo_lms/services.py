"""What every AGS/NRPS request goes through: latency, bearer token, tool and course checks."""

from __future__ import annotations

import json
import time
from typing import Any

from flask import Response, request

from .errors import PlatformError, canvas_error
from .model import Course, ToolRegistration
from .platform import Platform, current_platform
from .tokens import require_token


def service_tool(any_of: tuple[str, ...], type_id: str | None = None) -> tuple[Platform, ToolRegistration]:
    """Authorise a service request; return the platform and the calling tool."""
    platform = current_platform()
    with platform.lock:
        platform.stats.service_requests += 1
    if platform.latency_ms:
        time.sleep(platform.latency_ms / 1000)
    token = require_token(platform, request.headers.get("Authorization"), any_of)
    tool = platform.get_tool(token.client_id)
    if not platform.is_canvas:
        # Moodle resolves the tool type from type_id and refuses another tool's URLs.
        given = type_id if type_id is not None else request.args.get("type_id")
        if given != tool.type_id:
            raise PlatformError(403, "type_id does not match the tool")
    return platform, tool


def service_course(platform: Platform, cid: str) -> Course:
    """The course in a service URL, or 404."""
    course = platform.state.courses.get(cid)
    if course is None:
        raise (
            canvas_error(404, "course not found")
            if platform.is_canvas
            else PlatformError(404, "course not found")
        )
    return course


def request_url(platform: Platform) -> str:
    """The absolute URL of this request without its query string."""
    return platform.base_url + request.path


def json_body() -> Any:
    """The request body parsed as JSON whatever its content type (as Canvas does), or 400."""
    try:
        return json.loads(request.get_data(as_text=True) or "null")
    except ValueError as error:
        raise PlatformError(400, {"errors": [{"message": "body is not JSON"}]}) from error


def service_response(
    platform: Platform,
    body: Any,
    media_type: str,
    *,
    status: int = 200,
    link: str | None = None,
) -> Response:
    """A JSON response with the service media type (and Canvas's rate-limit headers)."""
    response = Response("" if body is None else json.dumps(body), status=status, content_type=media_type)
    if link:
        response.headers["Link"] = link
    if platform.is_canvas:
        response.headers["X-Request-Cost"] = "0.01"
        response.headers["X-Rate-Limit-Remaining"] = "699.99"
    return response
