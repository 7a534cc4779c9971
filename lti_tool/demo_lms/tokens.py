"""OAuth2 client_credentials with a private_key_jwt assertion, and bearer checks.

The assertion is verified against the tool's JWKS URL: iss = sub = client_id, aud = the token
URL (Canvas also accepts its issuer), exp/iat, and a jti that is never accepted twice.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import jwt

from .errors import PlatformError, oauth_error
from .model import AccessToken, ToolRegistration
from .tool_keys import ToolJwtError, decode_tool_jwt

if TYPE_CHECKING:
    from .platform import Platform

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def token_endpoint(platform: Platform, form: Mapping[str, str]) -> dict[str, Any]:
    """Handle a token request; return the token response body or raise PlatformError."""
    if form.get("grant_type") != "client_credentials":
        raise oauth_error(400, "unsupported_grant_type", "grant_type must be client_credentials")
    if form.get("client_assertion_type") != JWT_BEARER:
        raise oauth_error(400, "invalid_request", f"client_assertion_type must be {JWT_BEARER}")
    assertion = form.get("client_assertion", "")
    tool = _client(platform, assertion)
    claims = _verify(platform, tool, assertion)
    scopes = form.get("scope", "").split()
    if not scopes:
        raise oauth_error(400, "invalid_scope", "scope is required")
    refused = [scope for scope in scopes if scope not in tool.scopes]
    if refused:
        raise oauth_error(400, "invalid_scope", f"scopes not granted: {' '.join(refused)}")
    _spend_jti(platform, tool, claims)
    token = issue(platform, tool, scopes)
    return {
        "access_token": token.token,
        "token_type": "Bearer",
        "expires_in": platform.token_ttl,
        "scope": " ".join(scopes),
    }


def accepted_audiences(platform: Platform) -> list[str]:
    """What the assertion's aud may be."""
    if platform.is_canvas:
        return [platform.token_url, platform.issuer, urlsplit(platform.issuer).netloc]
    return [platform.token_url]


def _client(platform: Platform, assertion: str) -> ToolRegistration:
    try:
        unverified = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise oauth_error(400, "invalid_request", f"client_assertion is not a JWT: {error}") from error
    tool = platform.state.tools.get(str(unverified.get("sub") or unverified.get("iss")))
    if tool is None:
        raise oauth_error(401, "invalid_client", "unknown client")
    if not tool.active:
        raise oauth_error(401, "invalid_client", "the tool is not enabled")
    return tool


def _verify(platform: Platform, tool: ToolRegistration, assertion: str) -> dict[str, Any]:
    try:
        claims = decode_tool_jwt(
            platform.tool_keys,
            tool,
            assertion,
            audience=accepted_audiences(platform),
            required=["iss", "sub", "aud", "exp", "iat", "jti"],
        )
    except ToolJwtError as error:
        raise oauth_error(400, "invalid_grant", str(error)) from error
    if claims["iss"] != tool.client_id or claims["sub"] != tool.client_id:
        raise oauth_error(400, "invalid_grant", "iss and sub must be the client_id")
    return claims


def _spend_jti(platform: Platform, tool: ToolRegistration, claims: dict[str, Any]) -> None:
    key = f"{tool.client_id}|{claims['jti']}"
    now = time.time()
    with platform.lock:
        seen = platform.state.seen_jtis
        for old in [k for k, expiry in seen.items() if expiry < now]:
            del seen[old]
        if key in seen:
            raise oauth_error(400, "invalid_grant", "jti has already been used")
        seen[key] = max(float(claims["exp"]), now) + 60


def issue(platform: Platform, tool: ToolRegistration, scopes: Sequence[str]) -> AccessToken:
    """Mint and store an access token."""
    token = AccessToken(
        secrets.token_urlsafe(32), tool.client_id, frozenset(scopes), time.time() + platform.token_ttl
    )
    with platform.lock:
        tokens = platform.state.tokens
        for old in [key for key, held in tokens.items() if held.expires_at < time.time()]:
            del tokens[old]
        tokens[token.token] = token
        platform.stats.tokens_issued += 1
    return token


def issue_access_token(platform: Platform, tool: ToolRegistration | str, scopes: Sequence[str]) -> str:
    """Mint an access token directly (for tests of the services themselves)."""
    return issue(platform, platform.get_tool(tool), scopes).token


def expire_tokens(platform: Platform) -> None:
    """Invalidate every access token, as if they had all expired."""
    with platform.lock:
        platform.state.tokens.clear()


def require_token(platform: Platform, authorization: str | None, any_of: Sequence[str]) -> AccessToken:
    """The bearer token of a service request, holding one of the scopes; else 401/403."""
    scheme, _, value = (authorization or "").partition(" ")
    with platform.lock:
        token = platform.state.tokens.get(value.strip()) if scheme.lower() == "bearer" else None
    if token is None or token.expires_at < time.time():
        raise PlatformError(
            401,
            {"error": "invalid_token", "error_description": "missing, unknown or expired token"},
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    if not token.scopes & set(any_of):
        raise PlatformError(
            403,
            {"error": "insufficient_scope", "error_description": f"needs one of {list(any_of)}"},
            headers={"WWW-Authenticate": 'Bearer error="insufficient_scope"'},
        )
    return token
