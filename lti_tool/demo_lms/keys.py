"""The platform's RSA signing keys and the JWKS that publishes them."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


def new_private_key() -> rsa.RSAPrivateKey:
    """A fresh 2048-bit key (the test suite swaps in keys it made once: tests/conftest.py)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class _Current:
    """Marker for "sign with the current key's kid" (None means: no kid header)."""

    def __repr__(self) -> str:
        return "CURRENT"


CURRENT: Any = _Current()


@dataclass
class SigningKey:
    """One RSA key pair with its key id."""

    kid: str
    private_key: rsa.RSAPrivateKey
    created: float = field(default_factory=time.time)

    def public_jwk(self) -> dict[str, Any]:
        """Return the public half as a JWK with kid, alg and use."""
        jwk = json.loads(str(RSAAlgorithm.to_jwk(self.private_key.public_key())))
        jwk.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        return dict(jwk)

    def private_pem(self) -> str:
        """Return the private key as unencrypted PKCS#8 PEM (for the demo state file)."""
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()

    @classmethod
    def generate(cls, kid: str | None = None) -> SigningKey:
        """Make a new 2048-bit key with a random kid."""
        key = new_private_key()
        return cls(kid=kid or secrets.token_urlsafe(12), private_key=key)

    @classmethod
    def from_pem(cls, kid: str, pem: str, created: float) -> SigningKey:
        """Load a key saved by private_pem()."""
        key = serialization.load_pem_private_key(pem.encode(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("not an RSA key")
        return cls(kid=kid, private_key=key, created=created)


class KeySet:
    """The platform key set: the newest key signs, older public keys stay published."""

    def __init__(self, keys: list[SigningKey] | None = None) -> None:
        self.keys: list[SigningKey] = keys or [SigningKey.generate()]

    @property
    def current(self) -> SigningKey:
        """The key that signs new messages."""
        return self.keys[-1]

    def rotate(self, *, drop_old: bool = False) -> SigningKey:
        """Add a new signing key; keep the old public keys unless drop_old."""
        new = SigningKey.generate()
        self.keys = [new] if drop_old else [*self.keys, new]
        return new

    def jwks(self) -> dict[str, Any]:
        """Return the public JWK Set document."""
        return {"keys": [key.public_jwk() for key in self.keys]}

    def find(self, kid: str | None) -> SigningKey | None:
        """Return the key with this kid, if the set has it."""
        return next((key for key in self.keys if key.kid == kid), None)

    def sign(
        self,
        claims: dict[str, Any],
        *,
        kid: str | None = CURRENT,
        alg: str = "RS256",
        headers: dict[str, Any] | None = None,
        key: Any = None,
    ) -> str:
        """Sign claims as a JWT; kid/alg/headers/key can be bent to craft bad tokens."""
        header = dict(headers or {})
        if kid is CURRENT:
            kid = self.current.kid
        if kid is not None:
            header.setdefault("kid", kid)
        if key is None and alg != "none":
            # An unknown kid still signs with the current key: the "incorrect kid" case.
            key = (self.find(kid) or self.current).private_key
        return jwt.encode(claims, key, algorithm=alg, headers=header)
