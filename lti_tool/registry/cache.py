"""A short-lived, per-process cache of registrations: every launch looks one up twice.

The database stays the truth. Registrations change rarely; a change made in this process
forgets the cache at once, one made elsewhere is seen within ``TTL`` seconds, and by a login
at once (it checks the registry's version, version.py). Unknown registrations are never
cached, so a newly added platform can launch immediately.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from lti_tool.registry.models import Deployment, Platform

TTL = 30.0


@dataclass(frozen=True)
class PlatformInfo:
    id: int
    issuer: str
    client_id: str
    auth_login_url: str
    token_url: str
    jwks_url: str
    flavour: str
    token_audience: str
    institution_id: int | None
    auto_register_deployments: bool
    deployment_ids: frozenset[str]


@dataclass(frozen=True)
class _Entry:
    expires: float
    info: PlatformInfo
    version: str | None
    """The registry version read just before the database said active (None: not read)."""


_entries: dict[tuple[str, str], _Entry] = {}
_lock = threading.Lock()


def lookup(session: Session, *, issuer: str, client_id: str) -> PlatformInfo | None:
    key = (issuer, client_id)
    with _lock:
        cached = _entries.get(key)
    if cached is not None and cached.expires > time.monotonic():
        return cached.info
    return _load(session, key, version=None)


def confirmed(
    session: Session, *, issuer: str, client_id: str, read_version: Callable[[], str]
) -> tuple[PlatformInfo, str] | None:
    """The registration and the registry version under which the database last said it is
    active (version.py); read again, version first, when this process has no such pair."""
    key = (issuer, client_id)
    with _lock:
        cached = _entries.get(key)
    if cached is not None and cached.expires > time.monotonic() and cached.version:
        return cached.info, cached.version
    version = read_version()
    info = _load(session, key, version=version)
    return None if info is None else (info, version)


def _load(session: Session, key: tuple[str, str], *, version: str | None) -> PlatformInfo | None:
    now = time.monotonic()
    issuer, client_id = key
    platform = session.scalar(
        select(Platform).where(
            Platform.issuer == issuer, Platform.client_id == client_id, Platform.active.is_(True)
        )
    )
    if platform is None:
        return None
    deployments = session.scalars(
        select(Deployment.deployment_id).where(Deployment.platform_id == platform.id)
    )
    info = PlatformInfo(
        id=platform.id,
        issuer=platform.issuer,
        client_id=platform.client_id,
        auth_login_url=platform.auth_login_url,
        token_url=platform.token_url,
        jwks_url=platform.jwks_url,
        flavour=platform.flavour,
        token_audience=platform.token_audience,
        institution_id=platform.institution_id,
        auto_register_deployments=platform.auto_register_deployments,
        deployment_ids=frozenset(deployments),
    )
    with _lock:
        _entries[key] = _Entry(now + TTL, info, version)
    return info


def forget() -> None:
    """Drop everything: called whenever this process changes a registration."""
    with _lock:
        _entries.clear()
        _active.clear()


_active: dict[int, tuple[float, bool]] = {}


def platform_active(connection: Connection, platform_id: int) -> bool:
    """Whether a platform may still act: every request inside the LMS asks, so it is cached
    like the registrations (forgotten at once by a change in this process)."""
    now = time.monotonic()
    with _lock:
        cached = _active.get(platform_id)
    if cached is not None and cached[0] > now:
        return cached[1]
    active = bool(connection.scalar(select(Platform.active).where(Platform.id == platform_id)))
    with _lock:
        _active[platform_id] = (now + TTL, active)
    return active
