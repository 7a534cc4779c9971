"""Where the tool's RSA key pairs come from: its launch signing keys and the issuer's credential
keys (the demo LMS, which imports nothing of the tool's, has its own: lti_tool.demo_lms.keys).

One seam, so the test suite can hand out 2048-bit keys it generated once, instead of paying
for a fresh generation (about 100 ms of CPU each) in nearly every test."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK

KEY_BITS = 2048

KeyMaker = Callable[[str], rsa.RSAPrivateKey]
"""Makes a private key for a purpose ("tool", "issuer")."""


def generate(purpose: str) -> rsa.RSAPrivateKey:
    del purpose  # every purpose gets a fresh key in production
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)


_maker: KeyMaker = generate


def new_rsa_key(purpose: str) -> rsa.RSAPrivateKey:
    return _maker(purpose)


@contextmanager
def made_by(maker: KeyMaker) -> Iterator[None]:
    """Keys come from ``maker`` inside the block (tests only)."""
    global _maker
    previous, _maker = _maker, maker
    try:
        yield
    finally:
        _maker = previous


@dataclass(frozen=True)
class StoredKey:
    """A new key as it is stored: the private PEM, its thumbprint (kid) and public JWK."""

    kid: str
    private_pem: str
    public_jwk: str


def stored(private: rsa.RSAPrivateKey) -> StoredKey:
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    jwk = JWK.from_pyca(private)  # from the key object: re-reading the PEM costs ~60 ms
    kid = jwk.thumbprint()
    public = jwk.export_public(as_dict=True)
    public.update({"kid": kid, "alg": "RS256", "use": "sig"})
    return StoredKey(kid=kid, private_pem=pem, public_jwk=json.dumps(public, sort_keys=True))


@lru_cache(maxsize=16)
def private_key(pem: str) -> rsa.RSAPrivateKey:
    """A stored key, parsed once per process: reading a PEM (with the RSA consistency check)
    costs far more than a signature, and signing keys change only on rotation."""
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise TypeError("a stored signing key is not an RSA private key")
    return key
