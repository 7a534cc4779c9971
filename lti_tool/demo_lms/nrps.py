"""NRPS 2.0 context memberships, with role/rlid filters, PII per privacy and paging."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, request

from .errors import PlatformError
from .model import Course, Enrolment, ToolRegistration
from .paging import paginate
from .services import request_url, service_course, service_response, service_tool
from .vocab import MEMBERSHIP, MT_MEMBERSHIPS, SCOPE_NRPS, context_role_uris

if TYPE_CHECKING:
    from .platform import Platform


def register(app: Flask, platform: Platform) -> None:
    """Add the memberships route for the platform's flavour."""
    app.add_url_rule(platform.endpoints.rule("memberships"), "nrps", memberships_view)


def memberships_view(cid: str, tid: str | None = None) -> Response:
    """GET the membership container of a course."""
    platform, tool = service_tool((SCOPE_NRPS,), type_id=tid)
    course = service_course(platform, cid)
    args = request.args.to_dict()
    body, link = memberships(platform, tool, course, args, request_url(platform))
    return service_response(platform, body, MT_MEMBERSHIPS, link=link)


def memberships(
    platform: Platform,
    tool: ToolRegistration,
    course: Course,
    args: Mapping[str, str],
    url: str,
) -> tuple[dict[str, Any], str | None]:
    """The container body and the Link header of one page."""
    if args.get("rlid") and args["rlid"] not in platform.state.links:
        raise PlatformError(404, {"errors": [{"message": "resource link not found"}]})
    role = args.get("role")
    wanted = role if role is None or "#" in role else MEMBERSHIP + role
    with platform.lock:
        enrolments = [
            e for e in course.members.values() if wanted is None or wanted in context_role_uris(e.roles)
        ]
        page = paginate(platform, enrolments, args, url, short_pages=platform.nrps_short_pages)
        members = [_member(platform, tool, e) for e in page.items]
    context = {"id": course.context_id, "label": course.label, "title": course.title}
    return {"id": url, "context": context, "members": members}, page.link


def _member(platform: Platform, tool: ToolRegistration, enrolment: Enrolment) -> dict[str, Any]:
    user = platform.state.users[enrolment.user_id]
    member: dict[str, Any] = {
        "status": enrolment.status,
        "user_id": user.user_id,
        "roles": context_role_uris(enrolment.roles),
    }
    if tool.shares_name:
        member.update(name=user.name, given_name=user.given_name, family_name=user.family_name)
    if tool.shares_email:
        member["email"] = user.email
    if not platform.is_canvas:
        member["lis_person_sourcedid"] = ""
    return member
