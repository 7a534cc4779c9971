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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from config.store import KeyValueStore
from lti_tool.launch.errors import LaunchRejected, unknown_platform
from lti_tool.registry import cache, version
from lti_tool.registry import service as registry
from lti_tool.registry.cache import PlatformInfo

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
    session: Session, connect: Callable[[], Connection], store: KeyValueStore,
    params: Mapping[str, str], *, launch_url: str,
) -> LoginStart:
    """``session`` is used only when this process holds no confirmed registration, and
    ``connect`` (an autocommit connection) only when the registry keeps changing under us."""
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
    state, nonce = "state-" + secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    platform = _store_state_while_active(
        session, connect, store, params, issuer=issuer, client_id=client_id,
        state=state, nonce=nonce,
    )
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
    return LoginStart(
        auth_url=platform.auth_login_url + separator + urlencode(request),
        state=state,
        nonce=nonce,
        storage_target=params.get("lti_storage_target", ""),
        platform_origin=origin_of(platform.auth_login_url),
    )


def _store_state_while_active(
    session: Session, connect: Callable[[], Connection], store: KeyValueStore,
    params: Mapping[str, str], *, issuer: str, client_id: str, state: str, nonce: str,
) -> PlatformInfo:
    """Nothing is stored for a platform that is off, even one switched off a moment ago in
    another process: the state is written only while the registry's version is the one
    under which this process last read the platform as active (registry/version.py)."""
    for _ in range(2):
        found = cache.confirmed(session, issuer=issuer, client_id=client_id,
                                read_version=lambda: version.current(store))
        if found is None:
            raise unknown_platform(issuer, client_id)
        platform, seen = found
        record = _state_record(params, platform, issuer=issuer, client_id=client_id, nonce=nonce)
        if store.put_while(state_key(state), record, STATE_TTL, version.KEY, seen):
            return platform
        cache.forget()  # the registry changed since this process read it: read it again
    # Changing twice in a row: ask the database itself, as every login once did.
    if not registry.is_active(connect(), platform_id=platform.id):
        raise unknown_platform(issuer, client_id)
    store.put(state_key(state), record, STATE_TTL)
    return platform


def _state_record(
    params: Mapping[str, str], platform: PlatformInfo, *, issuer: str, client_id: str, nonce: str
) -> str:
    record: dict[str, Any] = {
        "nonce": nonce,
        "issuer": issuer,
        "client_id": client_id,
        "platform_id": platform.id,
        "created": int(time.time()),
        "restart": {k: params[k] for k in RESTART_PARAMS if params.get(k)},
    }
    return json.dumps(record)


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
