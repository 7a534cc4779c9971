"""Tool registrations: Canvas developer keys with a deployment, Moodle tool types."""

from __future__ import annotations

import hashlib
import secrets
import string
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .model import PRIVACY_LEVELS, ToolRegistration
from .vocab import ALL_SCOPES

if TYPE_CHECKING:
    from .platform import Platform

# Canvas developer key ids are global ids like 10000000000001.
CANVAS_KEY_BASE = 10000000000000


def register_tool(
    platform: Platform,
    *,
    login_url: str,
    redirect_uris: Sequence[str],
    jwks_url: str,
    target_link_uri: str,
    client_id: str | None = None,
    deployment_ids: Sequence[str] | None = None,
    scopes: Sequence[str] | None = None,
    privacy_level: str = "public",
    name: str = "Microbridge",
    custom: dict[str, str] | None = None,
    messages: list[dict[str, Any]] | None = None,
    active: bool = True,
    domain: str = "",
    description: str = "",
) -> ToolRegistration:
    """Register a tool and deploy it; ids are generated in the flavour's style."""
    if privacy_level not in PRIVACY_LEVELS:
        raise ValueError(f"privacy_level must be one of {PRIVACY_LEVELS}")
    with platform.lock:
        state = platform.state
        number = state.next_id("tool_type", start=1 if platform.is_canvas else 3)
        type_id = str(number)
        if client_id is None:
            client_id = _canvas_client_id(number) if platform.is_canvas else moodle_client_id()
        if deployment_ids is None:
            deployment_ids = [_canvas_deployment_id(number) if platform.is_canvas else type_id]
        tool = ToolRegistration(
            client_id=client_id,
            name=name,
            login_url=login_url,
            redirect_uris=list(redirect_uris),
            jwks_url=jwks_url,
            target_link_uri=target_link_uri,
            deployment_ids=list(deployment_ids),
            scopes=list(ALL_SCOPES if scopes is None else scopes),
            privacy_level=privacy_level,
            type_id=type_id,
            active=active,
            custom=dict(custom or {}),
            messages=list(messages or []),
            domain=domain,
            description=description,
        )
        state.tools[client_id] = tool
        return tool


def activate(platform: Platform, client_id: str, *, active: bool = True) -> ToolRegistration:
    """Turn a key on (Canvas) or approve a pending tool (Moodle)."""
    with platform.lock:
        tool = platform.get_tool(client_id)
        tool.active = active
        return tool


def _canvas_client_id(number: int) -> str:
    return str(CANVAS_KEY_BASE + number)


def _canvas_deployment_id(number: int) -> str:
    digest = hashlib.sha1(secrets.token_bytes(16), usedforsecurity=False).hexdigest()
    return f"{number}:{digest}"


def moodle_client_id() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(15))
