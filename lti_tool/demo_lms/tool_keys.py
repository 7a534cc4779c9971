"""The tools' public keys, fetched from their JWKS URLs and cached for 5 minutes like Canvas."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

import jwt
import requests

from .model import Stats, ToolRegistration

JWKS_TTL = 300.0
LEEWAY = 60


class ToolJwtError(Exception):
    """A tool-signed JWT failed verification; the message says why."""


class ToolKeyCache:
    """JWKS documents by URL; an unknown kid forces one refetch (the tool may have rotated)."""

    def __init__(self, stats: Stats, *, ttl: float = JWKS_TTL, timeout: float = 5.0) -> None:
        self._stats = stats
        self._ttl = ttl
        self._timeout = timeout
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, list[dict[str, Any]]]] = {}

    def clear(self) -> None:
        """Forget every cached key set."""
        with self._lock:
            self._cache.clear()

    def find(self, jwks_url: str, kid: str | None) -> jwt.PyJWK:
        """The tool key with this kid (or the only key when the JWT has no kid)."""
        key = _pick(self._keys(jwks_url, force=False), kid)
        if key is None:
            key = _pick(self._keys(jwks_url, force=True), kid)
        if key is None:
            raise ToolJwtError(f"no key with kid {kid!r} at {jwks_url}")
        return jwt.PyJWK(key)

    def _keys(self, url: str, *, force: bool) -> list[dict[str, Any]]:
        with self._lock:
            cached = self._cache.get(url)
        if cached and not force and time.monotonic() - cached[0] < self._ttl:
            return cached[1]
        try:
            response = requests.get(url, timeout=self._timeout)
            response.raise_for_status()
            keys = list(response.json()["keys"])
        except (requests.RequestException, ValueError, KeyError, TypeError) as error:
            raise ToolJwtError(f"could not fetch the tool JWKS at {url}: {error}") from error
        with self._lock:
            self._stats.tool_jwks_fetches += 1
            self._cache[url] = (time.monotonic(), keys)
        return keys


def _pick(keys: list[dict[str, Any]], kid: str | None) -> dict[str, Any] | None:
    if kid is None:
        return keys[0] if len(keys) == 1 else None
    return next((key for key in keys if key.get("kid") == kid), None)


def decode_tool_jwt(
    cache: ToolKeyCache,
    tool: ToolRegistration,
    token: str,
    *,
    audience: Sequence[str],
    required: Sequence[str],
) -> dict[str, Any]:
    """Verify a JWT the tool signed (RS256, its JWKS, exp/iat, aud) and return its claims."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise ToolJwtError(f"malformed JWT: {error}") from error
    if header.get("alg") != "RS256":
        raise ToolJwtError("JWT must be signed with RS256")
    key = cache.find(tool.jwks_url, header.get("kid"))
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key=key,
            algorithms=["RS256"],
            audience=list(audience),
            leeway=LEEWAY,
            options={"require": list(required)},
        )
    except jwt.PyJWTError as error:
        raise ToolJwtError(f"invalid JWT: {error}") from error
    return claims
