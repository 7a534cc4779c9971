"""Platform public keys: fetched from the platform's JWKS URL, cached, refetched on a new kid.

Platforms rotate keys; a cached key set that lacks the token's kid is refetched once before
the launch is refused (LTI-NOTES pitfall 16). Refetches per URL are throttled so a flood of
made-up kids cannot turn us into a load generator against the platform.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from typing import Any

import requests
from jwt import PyJWK
from jwt.exceptions import PyJWKError

from config import egress
from config.store import KeyValueStore

FETCH_TIMEOUT = 5
REFETCH_INTERVAL = 10
# Parsed key sets are also kept in this process for a minute: every launch needs one.
LOCAL_SECONDS = 60.0


class PlatformKeyError(Exception):
    """The platform's key for this token cannot be found or used."""


class PlatformKeys:
    def __init__(
        self, store: KeyValueStore, *, cache_seconds: int, http: egress.EgressSession
    ) -> None:
        self._store = store
        self._cache_seconds = cache_seconds
        self._http = http
        self._parsed: dict[tuple[str, str], PyJWK] = {}
        self._local: dict[str, tuple[float, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def key_for(self, jwks_url: str, kid: str, alg: str) -> Any:
        """The public key object for ``kid`` at ``jwks_url``, ready for PyJWT."""
        key_set = self._cached_set(jwks_url)
        if key_set is None or (_find(key_set, kid) is None and self._may_refetch(jwks_url)):
            key_set = self._fetch(jwks_url)
        jwk = _find(key_set, kid)
        if jwk is None:
            raise PlatformKeyError(f"the platform's key set has no key {kid!r}")
        if jwk.get("alg", alg) != alg or jwk.get("kty") != "RSA":
            raise PlatformKeyError(f"key {kid!r} is not an RSA key for {alg}")
        return self._parse(jwks_url, kid, jwk)

    def _cache_key(self, jwks_url: str) -> str:
        return "jwks:" + hashlib.sha256(jwks_url.encode()).hexdigest()

    def _cached_set(self, jwks_url: str) -> dict[str, Any] | None:
        with self._lock:
            local = self._local.get(jwks_url)
        if local is not None and local[0] > time.monotonic():
            return local[1]
        raw = self._store.get(self._cache_key(jwks_url))
        if raw is None:
            return None
        key_set = dict(json.loads(raw))
        self._remember(jwks_url, key_set)
        return key_set

    def _remember(self, jwks_url: str, key_set: dict[str, Any]) -> None:
        with self._lock:
            self._local[jwks_url] = (time.monotonic() + LOCAL_SECONDS, key_set)

    def _may_refetch(self, jwks_url: str) -> bool:
        throttle = "jwks-refetch:" + hashlib.sha256(jwks_url.encode()).hexdigest()
        return self._store.add(throttle, "1", REFETCH_INTERVAL)

    def _fetch(self, jwks_url: str) -> dict[str, Any]:
        # The launch page shows the message: no address, no remote text (they are logged).
        try:
            response = self._http.get(jwks_url, timeout=FETCH_TIMEOUT)
        except requests.RequestException as error:
            egress.log_failure("platform key set", jwks_url, error=error)
            message = f"could not fetch the platform's keys: {egress.describe(error)}"
            raise PlatformKeyError(message) from None
        try:
            response.raise_for_status()
            key_set = response.json()
        except (requests.RequestException, ValueError):
            egress.log_failure("platform key set", jwks_url, status=response.status_code,
                               body=response.text)
            message = f"the platform's key set answered HTTP {response.status_code}, not keys"
            raise PlatformKeyError(message) from None
        if not isinstance(key_set, dict) or not isinstance(key_set.get("keys"), list):
            raise PlatformKeyError("the platform's key set URL did not return a JSON Web Key Set")
        self._store.put(self._cache_key(jwks_url), json.dumps(key_set), self._cache_seconds)
        with self._lock:
            self._parsed = {k: v for k, v in self._parsed.items() if k[0] != jwks_url}
        self._remember(jwks_url, key_set)
        return key_set

    def _parse(self, jwks_url: str, kid: str, jwk: dict[str, Any]) -> Any:
        with self._lock:
            parsed = self._parsed.get((jwks_url, kid))
        if parsed is None:
            try:
                parsed = PyJWK(jwk, algorithm="RS256")
            except PyJWKError as error:
                raise PlatformKeyError(f"key {kid!r} cannot be read: {error}") from error
            with self._lock:
                self._parsed[(jwks_url, kid)] = parsed
        return parsed.key


def _find(key_set: dict[str, Any], kid: str) -> dict[str, Any] | None:
    for key in key_set.get("keys", []):
        if isinstance(key, dict) and key.get("kid") == kid:
            return key
    return None
