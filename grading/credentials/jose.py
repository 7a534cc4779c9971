"""VC-JWT signing (Open Badges 3.0 section 8.2) and detached JWS (RFC 7515 appendix F) with
PyJWT, the JOSE library the tool already uses; keys come from ``grading.credentials.keys``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt
from jwt.api_jws import PyJWS
from sqlalchemy import select
from sqlalchemy.orm import Session

from config.keypairs import private_key
from grading.credentials import keys
from grading.credentials.models import IssuerKey


def key_url(base_url: str, thumbprint: str) -> str:
    """A ``kid`` that dereferences to the public JWK (OB 3.0 8.2.4.1)."""
    return f"{base_url}/credentials/keys/{thumbprint}"


@dataclass(frozen=True)
class Signer:
    key: IssuerKey
    base_url: str

    @property
    def kid(self) -> str:
        return key_url(self.base_url, self.key.kid)

    def vc_jwt(self, vc: dict[str, Any]) -> str:
        """The VC as a JWT (OB 3.0 8.2): ``iss`` the issuer (an embedded Profile's id, or the
        URL itself), ``jti`` the id, ``nbf`` validFrom, ``exp`` validUntil when it has one."""
        nbf = datetime.fromisoformat(vc["validFrom"].replace("Z", "+00:00"))
        issuer = vc["issuer"]["id"] if isinstance(vc["issuer"], dict) else vc["issuer"]
        claims = {"iss": issuer, "jti": vc["id"], "nbf": int(nbf.timestamp()),
                  "sub": vc["credentialSubject"]["id"], "vc": vc}
        if vc.get("validUntil"):
            claims["exp"] = int(datetime.fromisoformat(
                vc["validUntil"].replace("Z", "+00:00")).timestamp())
        return jwt.encode(claims, private_key(self.key.private_pem), algorithm="RS256",
                          headers={"kid": self.kid, "typ": "JWT"})

    def detached(self, payload: bytes) -> str:
        """``header..signature``: the payload travels separately (the packet's JSON)."""
        return PyJWS().encode(payload, private_key(self.key.private_pem), algorithm="RS256",
                              headers={"kid": self.kid}, is_payload_detached=True)


def canonical(document: dict[str, Any]) -> bytes:
    """The bytes a detached signature covers: sorted keys, no spaces, UTF-8."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def issuer_key(session: Session, kid: str, base_url: str) -> IssuerKey | None:
    """The published issuer key a ``kid`` URL names; None for any other (retired past its
    grace, someone else's, or not a URL of ours)."""
    prefix = key_url(base_url, "")
    if not kid.startswith(prefix):
        return None
    thumbprint = kid[len(prefix):]
    if thumbprint not in {k["kid"] for k in keys.published(session)}:
        return None
    return session.scalar(select(IssuerKey).where(IssuerKey.kid == thumbprint))
