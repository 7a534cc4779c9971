"""OIDC third-party login: login initiation (platform -> tool) and the auth endpoint.

The lti_message_hint names server-side pending launch state, so the auth endpoint knows
which id_token to build once the tool's authentication request arrives.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import parse_qsl, urlencode, urlsplit

from . import deep_linking, forms, gradebook
from .claims import LINKED_MESSAGES, base_claims
from .errors import oauth_error
from .model import Course, PendingLaunch, ResourceLink, ToolRegistration, User
from .vocab import MSG_DEEP_LINKING, MSG_RESOURCE_LINK

if TYPE_CHECKING:
    from .platform import Platform

HINT_TTL = 600
STORAGE_TARGET = "post_message_forwarding"


@dataclass(frozen=True)
class LoginInitiation:
    """What the browser sends to the tool's OIDC login URL (Canvas: POST form, Moodle: GET)."""

    method: str
    url: str
    params: dict[str, str] = field(default_factory=dict)

    def as_url(self) -> str:
        """The login URL with the parameters as a query string (for GET)."""
        joiner = "&" if "?" in self.url else "?"
        return self.url + joiner + urlencode(self.params)

    def html(self) -> str:
        """A page that performs this request in the browser."""
        if self.method == "GET":
            return forms.redirect_page(self.as_url())
        return forms.auto_submit(self.url, self.params)


class AuthResponse(NamedTuple):
    """The auth endpoint's answer: a form POST of `fields` to `url` (the redirect_uri)."""

    url: str
    fields: dict[str, str]

    def html(self) -> str:
        """The auto-submitting form the browser receives."""
        return forms.auto_submit(self.url, self.fields)


def login_initiation(
    platform: Platform,
    tool: ToolRegistration | str,
    user: User | str,
    course: Course | str | None,
    *,
    message_type: str = MSG_RESOURCE_LINK,
    resource_link: ResourceLink | str | None = None,
    target_link_uri: str | None = None,
    custom: dict[str, str] | None = None,
    extra_claims: dict[str, Any] | None = None,
    deployment_id: str | None = None,
    for_user: User | str | None = None,
    placement: str = "link_selection",
    deep_link_settings: dict[str, Any] | None = None,
) -> LoginInitiation:
    """Begin a launch; the pending state is kept until the auth request arrives.

    Without a resource_link, a resource link launch uses the tool's first link in the course.
    """
    with platform.lock:
        the_tool, the_user = platform.get_tool(tool), platform.get_user(user)
        the_course = platform.get_course(course) if course is not None else None
        link = platform.get_link(resource_link) if resource_link is not None else None
        if link is not None:  # a link always launches in its own course
            the_course = platform.get_course(link.course_id)
        elif the_course is not None and message_type in LINKED_MESSAGES:
            link = gradebook.default_link(platform, the_course, the_tool)
        deployment = deployment_id or the_tool.deployment_id
        ref = None
        if message_type == MSG_DEEP_LINKING:
            ref = _deep_link_ref(
                platform, the_tool, the_user, the_course, deployment, placement, deep_link_settings
            )
        target = target_link_uri or (link.url if link and link.url else the_tool.target_link_uri)
        pending = PendingLaunch(
            hint=secrets.token_urlsafe(24),
            client_id=the_tool.client_id,
            deployment_id=deployment,
            user_id=the_user.user_id,
            course_id=the_course.id if the_course else None,
            message_type=message_type,
            login_hint=the_user.user_id,
            target_link_uri=target,
            resource_link_id=link.id if link else None,
            custom=dict(custom or {}),
            extra_claims=dict(extra_claims or {}),
            for_user_id=platform.get_user(for_user).user_id if for_user is not None else None,
            deep_link_ref=ref,
            expires_at=time.time() + HINT_TTL,
        )
        _prune(platform)
        platform.state.pending[pending.hint] = pending
        return _initiation(platform, the_tool, pending)


def _deep_link_ref(
    platform: Platform,
    tool: ToolRegistration,
    user: User,
    course: Course | None,
    deployment: str,
    placement: str,
    settings: dict[str, Any] | None,
) -> str:
    if course is None:
        raise ValueError("a deep linking launch needs a course")
    request = deep_linking.new_request(
        platform, tool, user, course, deployment_id=deployment, placement=placement, settings=settings
    )
    return request.ref


def _initiation(platform: Platform, tool: ToolRegistration, pending: PendingLaunch) -> LoginInitiation:
    params = {
        "iss": platform.issuer,
        "login_hint": pending.login_hint,
        "target_link_uri": pending.target_link_uri,
        "lti_message_hint": pending.hint,
        "client_id": tool.client_id,
        "lti_deployment_id": pending.deployment_id,
    }
    if not platform.is_canvas:
        return LoginInitiation("GET", tool.login_url, params)
    params.update(canvas_region="us-east-1", canvas_environment="prod")
    if platform.platform_storage:
        params["lti_storage_target"] = STORAGE_TARGET
    return LoginInitiation("POST", tool.login_url, params)


def _prune(platform: Platform) -> None:
    now = time.time()
    pending = platform.state.pending
    # Hints are added in time order with one lifetime, so the expired ones come first: stop
    # at the first live one rather than scanning thousands on every launch.
    while pending:
        hint, launch = next(iter(pending.items()))
        if launch.expires_at >= now:
            return
        del pending[hint]


def auth_params(request: str | Mapping[str, str]) -> dict[str, str]:
    """Parameters of an auth request given as its URL or as a mapping."""
    if isinstance(request, str):
        return dict(parse_qsl(urlsplit(request).query, keep_blank_values=True))
    return dict(request)


def auth_response(platform: Platform, request: str | Mapping[str, str]) -> AuthResponse:
    """Answer an OIDC authentication request (its URL or params); raise PlatformError if bad."""
    params = auth_params(request)
    with platform.lock:
        tool, pending = _check_request(platform, params)
        claims = base_claims(
            platform,
            tool,
            pending.user_id,
            pending.course_id,
            message_type=pending.message_type,
            resource_link=pending.resource_link_id,
            deployment_id=pending.deployment_id,
            target_link_uri=pending.target_link_uri,
            custom=pending.custom,
            nonce=params["nonce"],
            for_user=pending.for_user_id,
            deep_link_ref=pending.deep_link_ref,
            extra_claims=pending.extra_claims,
        )
    fields = {"id_token": platform.sign(claims)}
    if "state" in params:
        fields["state"] = params["state"]
    if platform.platform_storage:
        fields["lti_storage_target"] = STORAGE_TARGET
    return AuthResponse(params["redirect_uri"], fields)


def _check_request(platform: Platform, params: dict[str, str]) -> tuple[ToolRegistration, PendingLaunch]:
    tool = platform.state.tools.get(params.get("client_id", ""))
    if tool is None:
        raise oauth_error(400, "invalid_client", "unknown client_id")
    if not tool.active:
        raise oauth_error(400, "unauthorized_client", "the tool is not enabled")
    # Canvas and Moodle compare redirect_uri exactly against the registered list.
    if params.get("redirect_uri") not in tool.redirect_uris:
        raise oauth_error(400, "invalid_request", "redirect_uri is not registered for this tool")
    expected = {"response_type": "id_token", "response_mode": "form_post", "prompt": "none"}
    for name, value in expected.items():
        if params.get(name) != value:
            raise oauth_error(400, "invalid_request", f"{name} must be {value!r}")
    if "openid" not in params.get("scope", "").split():
        raise oauth_error(400, "invalid_scope", "scope must be 'openid'")
    if not params.get("nonce"):
        raise oauth_error(400, "invalid_request", "nonce is required")
    pending = platform.state.pending.get(params.get("lti_message_hint", ""))
    if pending is None or pending.client_id != tool.client_id or pending.expires_at < time.time():
        raise oauth_error(400, "invalid_request", "lti_message_hint is unknown or expired")
    if params.get("login_hint") != pending.login_hint:
        raise oauth_error(400, "invalid_request", "login_hint does not match the launch")
    return tool, pending
