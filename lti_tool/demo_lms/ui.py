"""The demo LMS pages: course, launch, gradebook and admin (first-party, session cookie)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, abort, redirect, render_template_string, request, session
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from . import ui_templates
from .model import Course, LineItem, ResourceLink, User
from .oidc import STORAGE_TARGET
from .platform import Platform, current_platform
from .storage_frame import storage_script
from .vocab import MSG_DEEP_LINKING

# Canvas's own allow list for tool iframes.
IFRAME_ALLOW = (
    "geolocation *; microphone *; camera *; midi *; encrypted-media *; autoplay *; "
    "clipboard-write *; display-capture *"
)
TEACHING = ("Instructor", "TeachingAssistant", "Administrator")
SWITCHER_SIZE = 30


def register(app: Flask, platform: Platform) -> None:
    """Add the demo pages."""
    app.add_url_rule("/", "course", course_view)
    app.add_url_rule("/switch-user", "switch_user", switch_user_view, methods=["POST"])
    app.add_url_rule("/launch/<link_id>", "launch", launch_view, methods=["POST"])
    app.add_url_rule("/deep-link", "deep_link", deep_link_view, methods=["POST"])
    app.add_url_rule("/publish/<link_id>", "publish", publish_view, methods=["POST"])
    app.add_url_rule("/gradebook", "gradebook", gradebook_view)
    app.add_url_rule("/gradebook.json", "gradebook_json", gradebook_json_view)
    app.add_url_rule("/admin", "admin", admin_view)
    app.add_url_rule("/admin/register", "admin_register", admin_view, methods=["POST"])
    app.add_url_rule("/admin/activate", "admin_activate", activate_view, methods=["POST"])
    app.add_url_rule("/course.js", "course_script", course_script_view)
    app.add_url_rule("/favicon.svg", "favicon", favicon_view)


def course_view() -> str:
    """The course page with its tool links and the tool iframe."""
    platform, course, user = _context()
    teaching = _teaching(platform, course, user)
    links = [
        link
        for link in platform.state.links.values()
        if link.course_id == course.id and (link.published or teaching)
    ]
    tools = [tool for tool in platform.state.tools.values() if tool.active]
    admin = _an_admin(platform)
    return _page(
        "Course",
        ui_templates.COURSE,
        course=course,
        links=links,
        tools=tools,
        teaching=teaching,
        due=lambda link: _due(platform, link),
        iframe_allow=IFRAME_ALLOW,
        storage_url=platform.url("storage_frame") if platform.platform_storage else None,
        storage_target=STORAGE_TARGET,
        storage_script=storage_script(),
        tool_origins=_tool_origins(platform),
        admin_name=admin.name if admin else "",
    )


def course_script_view() -> Response:
    """The course page's script: shows the tool frame at launch and fits it to the tool's page."""
    return Response(ui_templates.COURSE_SCRIPT, content_type="text/javascript; charset=utf-8")


def favicon_view() -> Response:
    return Response(ui_templates.FAVICON, content_type="image/svg+xml")


def _tool_origins(platform: Platform) -> list[str]:
    """Where registered tools' pages come from: the only senders of frame resize messages."""
    origins = set()
    for tool in platform.state.tools.values():
        for uri in (tool.target_link_uri, *tool.redirect_uris):
            parts = urlsplit(uri)
            if parts.scheme in ("http", "https") and parts.netloc:
                origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)


def _an_admin(platform: Platform) -> User | None:
    return next((u for u in platform.state.users.values() if u.is_admin), None)


def switch_user_view() -> BaseResponse:
    """Become another user of the course."""
    platform = current_platform()
    user_id = request.form.get("user_id", "")
    if user_id not in platform.state.users:
        abort(400)
    session["user_id"] = user_id
    # Only a fixed page name, never a URL: the switcher cannot redirect off the platform.
    return redirect(platform.base_url + ("/admin" if request.form.get("next") == "admin" else "/"))


def launch_view(link_id: str) -> BaseResponse:
    """Start a resource link launch inside the tool iframe."""
    platform, course, user = _context()
    link = platform.state.links.get(link_id) or abort(404)
    initiation = platform.login_initiation(link.client_id, user, course, resource_link=link)
    if initiation.method == "GET":
        return redirect(initiation.as_url())
    return Response(initiation.html(), content_type="text/html; charset=utf-8")


def deep_link_view() -> BaseResponse:
    """Start a deep linking request inside the tool iframe."""
    platform, course, user = _context()
    if not _teaching(platform, course, user):
        abort(403)
    client_id = request.form.get("client_id", "")
    if client_id not in platform.state.tools:
        abort(404)
    initiation = platform.login_initiation(client_id, user, course, message_type=MSG_DEEP_LINKING)
    if initiation.method == "GET":
        return redirect(initiation.as_url())
    return Response(initiation.html(), content_type="text/html; charset=utf-8")


def publish_view(link_id: str) -> BaseResponse:
    """Publish an unpublished link (Canvas creates deep-linked assignments unpublished)."""
    platform, course, user = _context()
    if not _teaching(platform, course, user):
        abort(403)
    with platform.lock:
        (platform.state.links.get(link_id) or abort(404)).published = True
    return redirect(platform.base_url + "/")


def gradebook_view() -> str:
    """Scores, comments and timestamps per student and line item."""
    platform, course, _ = _context()
    students = [platform.state.users[e.user_id] for e in course.members.values() if "Learner" in e.roles][
        :200
    ]
    return _page(
        "Gradebook",
        ui_templates.GRADEBOOK,
        course=course,
        items=platform.line_items(course),
        students=students,
        result=lambda item, student: platform.result(item, student),
    )


def gradebook_json_view() -> Response:
    """Every stored result with what a grader would see (each comment, as many times as it was
    stored) and how many scores were applied to it: what a fault test reads over HTTP."""
    platform = current_platform()
    with platform.lock:
        rows = [
            {
                "lineItem": result.line_item_id, "userId": result.user_id,
                "score": result.score, "timestamp": result.timestamp.isoformat(),
                "gradingProgress": result.grading_progress, "comments": list(result.comments),
                "applications": result.applications,
            }
            for result in platform.state.results.values()
        ]
    return Response(json.dumps(rows), content_type="application/json")


def admin_view() -> str | tuple[str, int]:
    """Registered tools, activation, and Dynamic Registration in an iframe (administrators only)."""
    platform, _, user = _context()
    if not user.is_admin:
        return _forbidden(platform, user)
    url = request.form.get("url", "").strip() if request.method == "POST" else ""
    return _page(
        "Admin",
        ui_templates.ADMIN,
        tools=list(platform.state.tools.values()),
        registration_url=platform.registration_start(url) if url else None,
        suggested_url=url or platform.suggested_tool_url,
    )


def activate_view() -> BaseResponse | tuple[str, int]:
    """Enable a registered tool (administrators only)."""
    platform, _, user = _context()
    if not user.is_admin:
        return _forbidden(platform, user)
    client_id = request.form.get("client_id", "")
    if client_id not in platform.state.tools:
        abort(404)
    platform.activate(client_id)
    return redirect(platform.base_url + "/admin")


def _forbidden(platform: Platform, user: User) -> tuple[str, int]:
    """403 saying why, with a one-click switch to the demo's administrator."""
    return _page("Administrators only", ui_templates.FORBIDDEN, user=user, admin=_an_admin(platform)), 403


def _context() -> tuple[Platform, Course, User]:
    platform = current_platform()
    course = next(iter(platform.state.courses.values()), None) or abort(404)
    user = platform.state.users.get(session.get("user_id", ""))
    if user is None:
        user = _default_user(platform, course)
    return platform, course, user


def _default_user(platform: Platform, course: Course) -> User:
    teacher = next((e for e in course.members.values() if "Instructor" in e.roles), None)
    if teacher is not None:
        return platform.state.users[teacher.user_id]
    return next(iter(platform.state.users.values())) if platform.state.users else abort(404)


def _teaching(platform: Platform, course: Course, user: User) -> bool:
    enrolment = course.members.get(user.user_id)
    return user.is_admin or bool(enrolment and set(enrolment.roles) & set(TEACHING))


def _due(platform: Platform, link: ResourceLink) -> str | None:
    item: LineItem | None = platform.state.line_items.get(link.line_item_id or "")
    return item.end_at.strftime("%Y-%m-%d %H:%M") if item and item.end_at else None


def _people(platform: Platform, course: Course) -> list[User]:
    members = [platform.state.users[uid] for uid in list(course.members)[:SWITCHER_SIZE]]
    admins = [u for u in platform.state.users.values() if u.is_admin and u not in members]
    return members + admins


def _page(title: str, template: str, **values: Any) -> str:
    platform, course, user = _context()
    base = platform.base_url
    values.setdefault("user", user)
    body = render_template_string(template, platform=platform, base=base, **values)

    def roles_of(person: User) -> str:
        enrolment = course.members.get(person.user_id)
        roles = ", ".join(enrolment.roles) if enrolment else ""
        return roles or ("Administrator" if person.is_admin else "guest")

    return render_template_string(
        ui_templates.LAYOUT,
        title=title,
        platform=platform,
        base=base,
        user=user,
        people=_people(platform, course),
        roles_of=roles_of,
        body=Markup(body),  # noqa: S704 - rendered by autoescaping Jinja above
        favicon=base + "/favicon.svg",
    )
