"""Where the tool's RSA key pairs come from: its launch signing keys and the issuer's credential
keys (the demo LMS, which imports nothing of the tool's, has its own: lti_tool.demo_lms.keys).

One seam, so the test suite can hand out 2048-bit keys it generated once, instead of paying
for a fresh generation (about 100 ms of CPU each) in nearly every test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from cryptography.hazmat.primitives.asymmetric import rsa

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
