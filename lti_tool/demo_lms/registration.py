"""LTI Dynamic Registration 1.0: the platform's openid-configuration and client registration.

Canvas requires the Bearer registration token on the configuration GET as well, reads its own
privacy_level (default anonymous) and placements, and leaves the key off until an admin enables
it. Moodle's token is a single-use JWT whose `sub` is the client_id to issue; scopes map to
service settings, claims to privacy, deployment_id is the tool type id, and the tool stays
pending until an admin activates it.
"""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import jwt

from . import registration_config
from .errors import PlatformError
from .model import ToolRegistration
from .tools import moodle_client_id
from .vocab import AGS_SCOPES, ALL_SCOPES, CANVAS_PRIVACY, SCOPE_LINEITEM, SCOPE_NRPS, TOOL_CONFIG

if TYPE_CHECKING:
    from .platform import Platform

TOKEN_TTL = 3600


def start_url(platform: Platform, tool_registration_url: str) -> str:
    """The URL the admin's browser opens: the tool's page with the two DR parameters."""
    query = urlencode(
        {
            "openid_configuration": platform.openid_configuration_url,
            "registration_token": new_token(platform),
        }
    )
    joiner = "&" if "?" in tool_registration_url else "?"
    return tool_registration_url + joiner + query


def new_token(platform: Platform) -> str:
    """A registration token: a JWT signed by the platform."""
    now = int(time.time())
    claims: dict[str, Any] = {"iat": now, "exp": now + TOKEN_TTL, "scope": "reg"}
    if platform.is_canvas:
        claims.update(uuid=str(uuid.uuid4()), initiated_at=now)
    else:
        claims["sub"] = moodle_client_id()
    return platform.sign(claims)


def openid_configuration(platform: Platform, authorization: str | None) -> dict[str, Any]:
    """The configuration document (token required on Canvas, optional on Moodle)."""
    if platform.is_canvas or authorization:
        _token_claims(platform, authorization)
    return registration_config.document(platform)


def register(platform: Platform, authorization: str | None, body: Any) -> dict[str, Any]:
    """Register a tool from a DR client registration request; return the response body."""
    claims = _token_claims(platform, authorization)
    config = _validate(body)
    client_id = None if platform.is_canvas else str(claims.get("sub"))
    with platform.lock:
        if client_id is not None and client_id in platform.state.tools:
            raise PlatformError(401, {"error": "token_already_used"})
        tool = platform.register_tool(
            client_id=client_id,
            name=body["client_name"],
            login_url=body["initiate_login_uri"],
            redirect_uris=body["redirect_uris"],
            jwks_url=body["jwks_uri"],
            target_link_uri=config["target_link_uri"],
            scopes=_granted_scopes(platform, body.get("scope", "")),
            privacy_level=_privacy(platform, config),
            custom=dict(config.get("custom_parameters") or {}),
            messages=list(config.get("messages") or []),
            active=False,
            domain=config["domain"],
            description=str(config.get("description", "")),
        )
    return _response(body, config, tool)


def _token_claims(platform: Platform, authorization: str | None) -> dict[str, Any]:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise PlatformError(401, {"error": "invalid_token", "error_description": "Bearer required"})
    try:
        kid = jwt.get_unverified_header(token).get("kid")
        key = platform.keys.find(kid)
        if key is None:
            raise jwt.InvalidTokenError("unknown kid")
        claims: dict[str, Any] = jwt.decode(
            token, key.private_key.public_key(), algorithms=["RS256"], options={"require": ["exp"]}
        )
    except jwt.PyJWTError as error:
        raise PlatformError(401, {"error": "invalid_token", "error_description": str(error)}) from error
    return claims


def _validate(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise _invalid("body must be a JSON object")
    checks = {
        "response_types must include id_token": "id_token" in (body.get("response_types") or []),
        "initiate_login_uri is required": isinstance(body.get("initiate_login_uri"), str),
        "redirect_uris must be an array": _strings(body.get("redirect_uris")),
        "client_name is required": isinstance(body.get("client_name"), str),
        "jwks_uri is required": isinstance(body.get("jwks_uri"), str),
        "token_endpoint_auth_method must be private_key_jwt": (
            body.get("token_endpoint_auth_method") == "private_key_jwt"
        ),
        "application_type must be web": body.get("application_type", "web") == "web",
        "scope must be a string": isinstance(body.get("scope", ""), str),
    }
    for message, ok in checks.items():
        if not ok:
            raise _invalid(message)
    config = body.get(TOOL_CONFIG)
    if not isinstance(config, dict) or not config.get("domain") or not config.get("target_link_uri"):
        raise _invalid(f"{TOOL_CONFIG} needs domain and target_link_uri")
    return config


def _strings(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)


def _granted_scopes(platform: Platform, requested: str) -> list[str]:
    wanted = set(requested.split())
    if platform.is_canvas:
        return [scope for scope in ALL_SCOPES if scope in wanted]
    # Moodle turns scopes into settings: lineitem -> full grade sync, other AGS -> sync only.
    granted: list[str] = []
    if SCOPE_LINEITEM in wanted:
        granted += AGS_SCOPES
    elif wanted & set(AGS_SCOPES):
        granted += [scope for scope in AGS_SCOPES if scope != SCOPE_LINEITEM]
    if SCOPE_NRPS in wanted:
        granted.append(SCOPE_NRPS)
    return granted


def _privacy(platform: Platform, config: dict[str, Any]) -> str:
    if platform.is_canvas:
        level = config.get(CANVAS_PRIVACY, "anonymous")
        if level not in ("anonymous", "name_only", "email_only", "public"):
            raise _invalid(f"{CANVAS_PRIVACY} is not a privacy level")
        return str(level)
    claims = set(config.get("claims") or [])
    name = bool(claims & {"name", "given_name", "family_name"})
    email = "email" in claims
    return {(True, True): "public", (True, False): "name_only", (False, True): "email_only"}.get(
        (name, email), "anonymous"
    )


def _response(body: dict[str, Any], config: dict[str, Any], tool: ToolRegistration) -> dict[str, Any]:
    answer = {key: value for key, value in body.items() if key != TOOL_CONFIG}
    answer.update(client_id=tool.client_id, scope=" ".join(tool.scopes))
    answer[TOOL_CONFIG] = {**config, "deployment_id": tool.deployment_id}
    return answer


def _invalid(message: str) -> PlatformError:
    return PlatformError(400, {"error": "invalid_client_metadata", "error_description": message})
