"""LTI Dynamic Registration 1.0 (https://www.imsglobal.org/spec/lti-dr/v1p0), tool side.

Only someone holding a single-use registration link printed by ``microbridge
registration-link`` can register a platform: an open endpoint would let anyone create a tenant.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from catalog.institutions.service import create_new, get_or_create
from config import egress
from config.database import utcnow
from config.store import KeyValueStore
from config.web import UserFacingError
from lti_tool.registration.models import RegistrationLink
from lti_tool.registry import service as registry
from lti_tool.registry.models import Flavour, Platform

HTTP_TIMEOUT = 10
# A link that failed this many times is used up: whoever holds it cannot keep probing.
MAX_FAILED_ATTEMPTS = 5
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
CANVAS_PRIVACY = "https://canvas.instructure.com/lti/privacy_level"
SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
)
# Asked of every platform; one that does not know a variable sends its name back, which the
# launch treats as absent (LTI-NOTES pitfall 27).
CUSTOM_PARAMETERS = {
    "context_id_history": "$Context.id.history",
    "resource_link_id_history": "$ResourceLink.id.history",
    "due_at": "$ResourceLink.submission.endDateTime",
    # Canvas and Moodle both expand it to the person's IANA zone; due dates are shown in it.
    "timezone": "$Person.address.timezone",
}


class RegistrationFailed(UserFacingError):
    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(
            message,
            title="Microbridge could not be registered",
            hint="Ask your Microbridge administrator for a new registration link and try again.",
            status=status,
        )


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_link(
    session: Session, *, base_url: str, valid_for: timedelta, note: str = "",
    institution_name: str = "",
) -> str:
    secret = secrets.token_urlsafe(24)
    institution_id = None
    if institution_name:
        institution_id = get_or_create(session, name=institution_name).id
    session.add(
        RegistrationLink(
            token_hash=_hash(secret), note=note, expires_at=utcnow() + valid_for,
            institution_id=institution_id,
        )
    )
    session.flush()
    return f"{base_url}/lti/register?rt={secret}"


def usable_link(session: Session, store: KeyValueStore, secret: str) -> RegistrationLink:
    link = session.scalar(select(RegistrationLink).where(RegistrationLink.token_hash == _hash(secret)))
    if link is None:
        raise RegistrationFailed("This registration link is not valid.", status=403)
    if link.used_at is not None:
        raise RegistrationFailed("This registration link was already used.", status=403)
    if link.expires_at <= utcnow():
        raise RegistrationFailed("This registration link has expired.", status=403)
    if _failures(store, link) >= MAX_FAILED_ATTEMPTS:
        raise RegistrationFailed(
            "This registration link is used up: registering with it failed too many times.",
            status=403,
        )
    return link


def _failure_key(link: RegistrationLink) -> str:
    return f"registration-failures:{link.token_hash}"


def _failures(store: KeyValueStore, link: RegistrationLink) -> int:
    return int(store.get(_failure_key(link)) or 0)


def record_failure(store: KeyValueStore, link: RegistrationLink) -> None:
    """Count a failed attempt against the link (kept until the link expires)."""
    ttl = max(1, int((link.expires_at - utcnow()).total_seconds()))
    store.incr(_failure_key(link), ttl)


@dataclass(frozen=True)
class PlatformConfiguration:
    url: str
    data: dict[str, Any]

    @property
    def issuer(self) -> str:
        return str(self.data.get("issuer", ""))

    @property
    def product(self) -> str:
        config = self.data.get(PLATFORM_CONFIGURATION) or {}
        return str(config.get("product_family_code", "")).lower()

    @property
    def flavour(self) -> str:
        return self.product if self.product in (Flavour.CANVAS, Flavour.MOODLE) else Flavour.OTHER

    @property
    def variables(self) -> set[str]:
        config = self.data.get(PLATFORM_CONFIGURATION) or {}
        return {str(v) for v in config.get("variables", []) or []}


def fetch_configuration(
    http: egress.EgressSession, *, url: str, registration_token: str
) -> PlatformConfiguration:
    if urlsplit(url).scheme not in ("http", "https"):
        raise RegistrationFailed("The LMS sent an invalid openid_configuration address.")
    # Canvas requires the registration token on this GET too (LTI-NOTES pitfall 20).
    headers = {"Authorization": f"Bearer {registration_token}"} if registration_token else {}
    # What the LMS (or whoever holds the link) answered is logged, never shown: the page
    # must not become a way to read internal services.
    try:
        response = http.get(url, headers=headers, timeout=HTTP_TIMEOUT)
    except requests.RequestException as error:
        egress.log_failure("registration configuration", url, error=error)
        raise RegistrationFailed(
            f"Could not read the LMS's configuration: {egress.describe(error)}."
        ) from None
    try:
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError):
        egress.log_failure("registration configuration", url, status=response.status_code,
                           body=response.text)
        raise RegistrationFailed(
            f"Could not read the LMS's configuration (HTTP {response.status_code}, "
            "not an LTI platform configuration)."
        ) from None
    required = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint")
    missing = [k for k in required if not isinstance(data, dict) or not data.get(k)]
    if missing:
        raise RegistrationFailed(f"The LMS's configuration lacks {', '.join(missing)}.")
    return PlatformConfiguration(url=url, data=data)


def registration_request(config: PlatformConfiguration, *, base_url: str) -> dict[str, Any]:
    launch = base_url + "/lti/launch"
    canvas = config.flavour == Flavour.CANVAS
    messages: list[dict[str, Any]] = [
        {
            "type": "LtiDeepLinkingRequest",
            "target_link_uri": launch,
            "label": "Microbridge employer project",
            **({"placements": ["link_selection", "assignment_selection"]} if canvas else {}),
        },
        {
            "type": "LtiResourceLinkRequest",
            "target_link_uri": launch,
            "label": "Microbridge",
            **(
                {
                    "placements": ["course_navigation"],
                    "https://canvas.instructure.com/lti/course_navigation/default_enabled": True,
                }
                if canvas
                else {}
            ),
        },
    ]
    offered = config.variables
    custom = {k: v for k, v in CUSTOM_PARAMETERS.items() if not offered or v in offered}
    tool_configuration: dict[str, Any] = {
        "domain": urlsplit(base_url).netloc,
        "target_link_uri": launch,
        "custom_parameters": custom,
        "description": "Employer micro-internship projects, reviewed by employers, graded in your LMS.",
        "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
        "messages": messages,
    }
    if canvas:
        # Canvas defaults to anonymous; employers need names once students consent.
        tool_configuration[CANVAS_PRIVACY] = "public"
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": base_url + "/lti/login",
        "redirect_uris": [launch],
        "client_name": "Microbridge",
        "jwks_uri": base_url + "/.well-known/jwks.json",
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(SCOPES),
        TOOL_CONFIGURATION: tool_configuration,
    }


def register(
    session: Session,
    http: egress.EgressSession,
    *,
    link: RegistrationLink,
    config: PlatformConfiguration,
    registration_token: str,
    base_url: str,
) -> Platform:
    """POST our configuration to the platform and record the platform it describes."""
    headers = {"Content-Type": "application/json"}
    if registration_token:
        headers["Authorization"] = f"Bearer {registration_token}"
    endpoint = str(config.data["registration_endpoint"])
    try:
        response = http.post(
            endpoint,
            json=registration_request(config, base_url=base_url),
            headers=headers,
            timeout=HTTP_TIMEOUT,
        )
    except requests.RequestException as error:
        egress.log_failure("registration", endpoint, error=error)
        raise RegistrationFailed(f"The registration failed: {egress.describe(error)}.") from None
    if response.status_code >= 400:
        egress.log_failure("registration", endpoint, status=response.status_code, body=response.text)
        raise RegistrationFailed(
            f"The LMS refused the registration (HTTP {response.status_code}). Its administrator "
            "can see why in the LMS; Microbridge's log has its answer."
        )
    try:
        answer = response.json()
        client_id = str(answer["client_id"])
    except (ValueError, KeyError, TypeError):
        egress.log_failure("registration", endpoint, status=response.status_code, body=response.text)
        raise RegistrationFailed("The LMS answered the registration without a client id.") from None
    _claim_link(session, link)
    data = config.data
    platform_config = data.get(PLATFORM_CONFIGURATION) or {}
    existing = registry.find_platform(session, issuer=config.issuer, client_id=client_id)
    if existing is not None:
        raise RegistrationFailed("This LMS registration already exists in Microbridge.", status=409)
    platform = registry.add_platform(
        session,
        issuer=config.issuer,
        client_id=client_id,
        auth_login_url=str(data["authorization_endpoint"]),
        token_url=str(data["token_endpoint"]),
        jwks_url=str(data["jwks_uri"]),
        flavour=config.flavour,
        name=str(platform_config.get("product_family_code", "")).title() or config.issuer,
        institution_id=link.institution_id or _institution_for(session, config),
        token_audience=_token_audience(config),
    )
    platform.auto_register_deployments = config.flavour == Flavour.CANVAS
    deployment_id = (answer.get(TOOL_CONFIGURATION) or {}).get("deployment_id")
    if deployment_id:
        registry.add_deployment(session, platform=platform, deployment_id=str(deployment_id))
    link.platform_id = platform.id
    session.flush()
    return platform


def _claim_link(session: Session, link: RegistrationLink) -> None:
    """Mark the link used in one conditional update, so two racing uses cannot both win."""
    result = session.execute(
        update(RegistrationLink)
        .where(RegistrationLink.id == link.id, RegistrationLink.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise RegistrationFailed("This registration link was already used.", status=403)


def _token_audience(config: PlatformConfiguration) -> str:
    # Canvas wants the token URL as the assertion's audience (LTI-NOTES §3), which is the
    # default; other platforms may name an authorization server.
    if config.flavour == Flavour.CANVAS:
        return ""
    return str(config.data.get("authorization_server", "") or "")


def _institution_for(session: Session, config: PlatformConfiguration) -> int:
    """A new institution for a link that named none: what the LMS calls itself (Canvas's
    account name, else its host) is only a label. Joining an existing institution is the
    operator's choice (``registration-link --institution``), never the registering LMS's."""
    platform_config = config.data.get(PLATFORM_CONFIGURATION) or {}
    name = str(
        platform_config.get("https://canvas.instructure.com/lti/account_name")
        or urlsplit(config.url).netloc
        or config.issuer
    )
    return create_new(session, name=name[:180]).id
