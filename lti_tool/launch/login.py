"""OIDC third-party login initiation (LTI Core 1.3 §5.1.1), step one of every launch.

The authentication request is a fixed set of parameters (§5.1.1.2, OIDC Core §3.1.2.1) built
here directly: this runs on every launch, and pylti1p3's OIDCLogin added registration and
cookie objects per call for the same result. We keep the state and its nonce in our store,
so the launch can use both up exactly once.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from config.store import KeyValueStore
from lti_tool.launch.errors import LaunchRejected, unknown_platform
from lti_tool.registry import cache
from lti_tool.registry import service as registry

STATE_TTL = 600
# Login parameters kept with the state so a blocked-cookie launch can restart in a new window.
RESTART_PARAMS = (
    "iss", "login_hint", "target_link_uri", "lti_message_hint", "lti_deployment_id", "client_id",
)


@dataclass(frozen=True)
class LoginStart:
    auth_url: str
    state: str
    nonce: str
    # Set when the platform offers LTI platform storage (Canvas): the frame to postMessage to.
    storage_target: str
    platform_origin: str


def begin_login(
    session: Session, connection: Connection, store: KeyValueStore, params: Mapping[str, str],
    *, launch_url: str,
) -> LoginStart:
    """``connection`` autocommits (the platform's active flag, read on every login); the
    session is used only when the registration is not cached."""
    issuer, client_id = params.get("iss", ""), params.get("client_id", "")
    if not issuer or not params.get("login_hint"):
        raise LaunchRejected(
            "login_incomplete",
            "The LMS started a Microbridge login without its issuer or login hint.",
        )
    if not client_id:
        # LTI 1.3 makes client_id optional in login initiation; it is only usable when the
        # issuer has exactly one registration.
        candidates = registry.platforms_for_issuer(session, issuer=issuer)
        if len(candidates) != 1:
            raise unknown_platform(issuer, client_id)
        client_id = candidates[0].client_id
        params = {**params, "client_id": client_id}
    platform = cache.lookup(session, issuer=issuer, client_id=client_id)
    # The cache may be up to 30 s behind a deactivation made in another process: nothing is
    # stored for a platform that is off.
    if platform is None or not registry.is_active(connection, platform_id=platform.id):
        raise unknown_platform(issuer, client_id)
    state, nonce = "state-" + secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    request = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": client_id,
        "redirect_uri": launch_url,
        "state": state,
        "nonce": nonce,
        "login_hint": params["login_hint"],
    }
    if params.get("lti_message_hint"):
        request["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if "?" in platform.auth_login_url else "?"
    record: dict[str, Any] = {
        "nonce": nonce,
        "issuer": issuer,
        "client_id": client_id,
        "platform_id": platform.id,
        "created": int(time.time()),
        "restart": {k: params[k] for k in RESTART_PARAMS if params.get(k)},
    }
    store.put(state_key(state), json.dumps(record), STATE_TTL)
    return LoginStart(
        auth_url=platform.auth_login_url + separator + urlencode(request),
        state=state,
        nonce=nonce,
        storage_target=params.get("lti_storage_target", ""),
        platform_origin=origin_of(platform.auth_login_url),
    )


def origin_of(url: str) -> str:
    """The origin the platform-storage frame lives on: the platform's OIDC auth origin."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def state_key(state: str) -> str:
    return f"lti-state:{state}"


def take_state(store: KeyValueStore, state: str) -> dict[str, Any] | None:
    """The login record of ``state``, used up: only one launch ever gets it."""
    raw = store.take(state_key(state)) if state else None
    return None if raw is None else dict(json.loads(raw))
