"""The issuer key: created, rotated and published like the tool key (lti_tool.keys), but its
own, so credentials and launches never share a key."""

from __future__ import annotations

import json
from datetime import timedelta
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from config.database import utcnow
from config.keypairs import new_rsa_key, stored
from grading.credentials.models import IssuerKey


def _new_key() -> IssuerKey:
    key = stored(new_rsa_key("issuer"))
    return IssuerKey(kid=key.kid, private_pem=key.private_pem, public_jwk=key.public_jwk)


def current(session: Session) -> IssuerKey | None:
    return session.scalar(select(IssuerKey).where(IssuerKey.retired_at.is_(None))
                          .order_by(IssuerKey.id.desc()).limit(1))


def ensure(session: Session) -> IssuerKey:
    """The key that signs now, made the first time a credential is issued (flushes)."""
    key = current(session)
    if key is None:
        key = _new_key()
        session.add(key)
        session.flush()
    return key


def rotate(session: Session, *, grace_days: int = 365) -> IssuerKey:
    """A new signing key; old ones stay published so credentials they signed still verify.

    The grace is long: a credential lives for years, unlike a launch."""
    now = utcnow()
    for old in session.scalars(select(IssuerKey).where(IssuerKey.retired_at.is_(None))):
        old.retired_at = now
        old.publish_until = now + timedelta(days=grace_days)
    key = _new_key()
    session.add(key)
    session.flush()
    return key


def published(session: Session) -> list[dict[str, Any]]:
    now = utcnow()
    rows = session.scalars(select(IssuerKey).where(
        or_(IssuerKey.retired_at.is_(None), IssuerKey.publish_until > now)
    ).order_by(IssuerKey.id.desc()))
    return [json.loads(row.public_jwk) for row in rows]


@lru_cache(maxsize=32)
def public_key(jwk_json: str) -> rsa.RSAPublicKey:
    key = serialization.load_pem_public_key(
        JWK.from_json(jwk_json).export_to_pem(private_key=False, password=None))
    assert isinstance(key, rsa.RSAPublicKey)
    return key
