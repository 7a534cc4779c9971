"""Create, rotate and publish the tool's RSA signing keys.

Platforms cache our JWKS (Canvas for five minutes, others longer), so a retired key stays
published for a grace period: signatures made just before a rotation still verify.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from config.database import utcnow
from config.keypairs import new_rsa_key, stored
from lti_tool.keys.models import ToolKey


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_pem: str


def _new_key() -> ToolKey:
    key = stored(new_rsa_key("tool"))
    return ToolKey(kid=key.kid, private_pem=key.private_pem, public_jwk=key.public_jwk)


def current_key(session: Session) -> ToolKey | None:
    return session.scalar(
        select(ToolKey).where(ToolKey.retired_at.is_(None)).order_by(ToolKey.id.desc()).limit(1)
    )


def ensure_signing_key(session: Session) -> ToolKey:
    """The key that signs now; created on first start (``lti_tool.runtime.prepare``)."""
    key = current_key(session)
    if key is None:
        key = _new_key()
        session.add(key)
        session.flush()
    return key


def rotate(session: Session, *, grace_hours: int) -> ToolKey:
    """Add a new signing key; keep the old ones published for ``grace_hours``."""
    now = utcnow()
    for old in session.scalars(select(ToolKey).where(ToolKey.retired_at.is_(None))):
        old.retired_at = now
        old.publish_until = now + timedelta(hours=grace_hours)
    key = _new_key()
    session.add(key)
    session.flush()
    return key


def published_keys(session: Session) -> list[dict[str, Any]]:
    """The public JWKS: the signing key and retired keys still inside their grace period."""
    now = utcnow()
    rows = session.scalars(
        select(ToolKey)
        .where(or_(ToolKey.retired_at.is_(None), ToolKey.publish_until > now))
        .order_by(ToolKey.id.desc())
    )
    return [json.loads(row.public_jwk) for row in rows]


class NoSigningKey(RuntimeError):
    """The database holds no signing key: start-up was skipped (a setup error, never input)."""


def signing_key(session: Session) -> SigningKey:
    """The key that signs now. Only read: start-up creates the first one (and commits it
    before any request or task runs), so signing never writes."""
    key = current_key(session)
    if key is None:
        raise NoSigningKey("the tool has no signing key: start the app, worker or a command first")
    return SigningKey(kid=key.kid, private_pem=key.private_pem)
