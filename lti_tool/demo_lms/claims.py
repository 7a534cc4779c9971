"""The id_token claim set of a launch (LTI Core 1.3, AGS/NRPS claims, Deep Linking settings)."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import deep_linking, gradebook, substitution
from .keys import CURRENT
from .model import Course, ResourceLink, ToolRegistration, User
from .vocab import (
    AGS_CLAIM,
    AGS_SCOPES,
    COURSE_OFFERING,
    DL_SETTINGS,
    INSTITUTION,
    LTI,
    MSG_DEEP_LINKING,
    MSG_RESOURCE_LINK,
    MSG_SUBMISSION_REVIEW,
    NRPS_CLAIM,
    SCOPE_NRPS,
    SYSTEM,
    context_role_uris,
)

if TYPE_CHECKING:
    from .platform import Platform

ID_TOKEN_TTL = 3600
LINKED_MESSAGES = (MSG_RESOURCE_LINK, MSG_SUBMISSION_REVIEW)


@dataclass(frozen=True)
class Launch:
    """The resolved parties of one launch."""

    tool: ToolRegistration
    user: User
    course: Course | None
    link: ResourceLink | None


def base_claims(
    platform: Platform,
    tool: ToolRegistration | str,
    user: User | str,
    course: Course | str | None,
    *,
    message_type: str = MSG_RESOURCE_LINK,
    resource_link: ResourceLink | str | None = None,
    deployment_id: str | None = None,
    target_link_uri: str | None = None,
    custom: dict[str, str] | None = None,
    nonce: str | None = None,
    for_user: User | str | None = None,
    deep_link_ref: str | None = None,
    extra_claims: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A valid claim set; extra_claims are merged last and a None value removes a claim.

    A resource link launch without a resource_link uses the tool's first link in the course
    (made if missing); a deep linking launch without deep_link_ref gets a new pending request.
    """
    with platform.lock:
        launch = _resolve(platform, tool, user, course, message_type, resource_link)
        deployment = deployment_id or launch.tool.deployment_id
        claims = _core(platform, launch, message_type, deployment, nonce)
        claims[LTI + "target_link_uri"] = target_link_uri or _target(launch)
        claims.update(_identity(platform, launch))
        claims.update(_services(platform, launch))
        claims[LTI + "custom"] = _custom(platform, launch, custom or {})
        if message_type == MSG_DEEP_LINKING:
            claims[DL_SETTINGS] = _deep_link_settings(platform, launch, deployment, deep_link_ref)
        if for_user is not None:
            claims[LTI + "for_user"] = _for_user(platform, launch, platform.get_user(for_user))
        for key, value in (extra_claims or {}).items():
            if value is None:
                claims.pop(key, None)
            else:
                claims[key] = value
        return claims


def id_token(
    platform: Platform,
    tool: ToolRegistration | str,
    user: User | str,
    course: Course | str | None,
    **kwargs: Any,
) -> str:
    """A signed, valid id_token without the OIDC round trip (kwargs as for base_claims)."""
    return platform.sign(base_claims(platform, tool, user, course, **kwargs), kid=CURRENT)


def _resolve(
    platform: Platform,
    tool: ToolRegistration | str,
    user: User | str,
    course: Course | str | None,
    message_type: str,
    resource_link: ResourceLink | str | None,
) -> Launch:
    the_tool, the_user = platform.get_tool(tool), platform.get_user(user)
    the_course = platform.get_course(course) if course is not None else None
    link = platform.get_link(resource_link) if resource_link is not None else None
    if link is None and the_course and message_type in LINKED_MESSAGES:
        link = gradebook.default_link(platform, the_course, the_tool)
    if link is not None:  # a link always launches in its own course
        the_course = platform.get_course(link.course_id)
    return Launch(the_tool, the_user, the_course, link)


def _core(
    platform: Platform, launch: Launch, message_type: str, deployment: str, nonce: str | None
) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": platform.issuer,
        "aud": launch.tool.client_id,
        "azp": launch.tool.client_id,
        "sub": launch.user.user_id,
        "iat": now,
        "exp": now + ID_TOKEN_TTL,
        "nonce": nonce or secrets.token_urlsafe(16),
        LTI + "message_type": message_type,
        LTI + "version": "1.3.0",
        LTI + "deployment_id": deployment,
        LTI + "roles": roles(platform, launch.user, launch.course),
        LTI + "tool_platform": _tool_platform(platform),
        LTI + "launch_presentation": _presentation(platform, launch),
    }
    if launch.link is not None and message_type != MSG_DEEP_LINKING:
        claims[LTI + "resource_link"] = {"id": launch.link.id, "title": launch.link.title}
        if launch.link.text:
            claims[LTI + "resource_link"]["description"] = launch.link.text
    if launch.course is not None:
        course = launch.course
        claims[LTI + "context"] = {
            "id": course.context_id,
            "label": course.label,
            "title": course.title,
            "type": [COURSE_OFFERING],
        }
    return claims


def roles(platform: Platform, user: User, course: Course | None) -> list[str]:
    """Role URIs: context roles of an active enrolment plus institution/system roles."""
    enrolment = course.members.get(user.user_id) if course else None
    short = enrolment.roles if enrolment and enrolment.status == "Active" else []
    uris = context_role_uris(short)
    if platform.is_canvas:
        if "Learner" in short:
            uris.append(INSTITUTION + "Student")
        if {"Instructor", "TeachingAssistant"} & set(short):
            uris.append(INSTITUTION + "Instructor")
        uris.append(SYSTEM + "User")
    if user.is_admin:
        uris.append(INSTITUTION + "Administrator")
        if not platform.is_canvas:
            uris.append(SYSTEM + "Administrator")
    return uris


def _tool_platform(platform: Platform) -> dict[str, str]:
    return {
        "guid": platform.guid,
        "name": platform.name,
        "product_family_code": platform.flavour,
        "version": "cloud" if platform.is_canvas else "2024100700",
    }


def _presentation(platform: Platform, launch: Launch) -> dict[str, Any]:
    cid = launch.course.id if launch.course else ""
    return {
        "document_target": "iframe",
        "return_url": platform.url("return_url", cid=cid),
        "locale": launch.user.locale,
    }


def _target(launch: Launch) -> str:
    return launch.link.url if launch.link and launch.link.url else launch.tool.target_link_uri


def _identity(platform: Platform, launch: Launch) -> dict[str, Any]:
    claims: dict[str, Any] = dict(_pii(launch.tool, launch.user))
    course_sourcedid = f"SIS-{launch.course.label}" if launch.course else ""
    if platform.is_canvas:
        person = launch.user.numeric_id if launch.tool.privacy_level == "public" else None
        lis = {"course_offering_sourcedid": course_sourcedid}
        if person:
            lis["person_sourcedid"] = f"SIS-{person}"
        claims[LTI + "lis"] = lis
    else:
        claims[LTI + "lis"] = {"person_sourcedid": "", "course_section_sourcedid": ""}
    return claims


def _pii(tool: ToolRegistration, user: User) -> dict[str, str]:
    claims: dict[str, str] = {}
    if tool.shares_name:
        claims.update(name=user.name, given_name=user.given_name, family_name=user.family_name)
    if tool.shares_email:
        claims["email"] = user.email
    return claims


def _services(platform: Platform, launch: Launch) -> dict[str, Any]:
    tool, course = launch.tool, launch.course
    claims: dict[str, Any] = {}
    ags_scopes = [scope for scope in AGS_SCOPES if scope in tool.scopes]
    if course is not None and ags_scopes:
        endpoint = {"scope": ags_scopes, "lineitems": platform.line_items_url(course, tool)}
        if launch.link is not None and launch.link.line_item_id is not None:
            endpoint["lineitem"] = platform.line_item_url(launch.link.line_item_id)
        claims[AGS_CLAIM] = endpoint
    if course is not None and SCOPE_NRPS in tool.scopes:
        claims[NRPS_CLAIM] = {
            "context_memberships_url": platform.memberships_url(course, tool),
            "service_versions": ["2.0"] if platform.is_canvas else ["1.0", "2.0"],
        }
    return claims


def _custom(platform: Platform, launch: Launch, custom: dict[str, str]) -> dict[str, str]:
    link = launch.link
    merged = {**launch.tool.custom, **(link.custom if link else {}), **custom}
    item = None
    if link is not None and link.line_item_id is not None:
        item = platform.state.line_items.get(link.line_item_id)
    ctx = substitution.Context(platform.base_url, launch.tool, launch.user, launch.course, link, item)
    return substitution.expand(platform.flavour, merged, ctx)


def _deep_link_settings(
    platform: Platform, launch: Launch, deployment: str, ref: str | None
) -> dict[str, Any]:
    if launch.course is None:
        raise ValueError("a deep linking launch needs a course")
    if ref is None:
        ref = deep_linking.new_request(
            platform, launch.tool, launch.user, launch.course, deployment_id=deployment
        ).ref
    return dict(platform.state.deep_link_requests[ref].settings)


def _for_user(platform: Platform, launch: Launch, user: User) -> dict[str, Any]:
    claim: dict[str, Any] = {"user_id": user.user_id, **_pii(launch.tool, user)}
    claim["roles"] = roles(platform, user, launch.course)
    return claim
