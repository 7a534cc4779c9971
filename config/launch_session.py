"""The launch-scoped session token that carries a launched user through the iframe.

Third-party cookies are blocked in many browsers, so after a launch every page link and form
names its session explicitly with a signed, expiring token (a partitioned cookie carries the
same token where the browser keeps one).

The token is ``base64url(JSON).base64url(HMAC-SHA256)``, the JSON holding the identity and
the time it was issued. It is read on nearly every request, so the signing key is derived
once per secret rather than per call.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import json
import time
from typing import Any

from config.identity import LaunchIdentity

SALT = b"microbridge.launch-session.v2"
COOKIE_NAME = "mb_launch"


@functools.lru_cache(maxsize=4)
def _key(secret: str) -> bytes:
    return hmac.new(secret.encode(), SALT, hashlib.sha256).digest()


def _mac(secret: str, body: bytes) -> bytes:
    digest = hmac.new(_key(secret), body, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=")


def issue(secret: str, identity: LaunchIdentity, *, now: float | None = None) -> str:
    payload: dict[str, Any] = {
        "s": identity.session_id,
        "p": identity.person_id,
        "pl": identity.platform_id,
        "d": identity.deployment_id,
        "c": identity.course_id,
        "i": identity.institution_id,
        "r": sorted(identity.roles),
        "l": identity.launch_id,
        "m": identity.message_type,
        "z": identity.timezone,
        "t": int(time.time() if now is None else now),
    }
    body = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode())
    body = body.rstrip(b"=")
    return (body + b"." + _mac(secret, body)).decode()


def read(secret: str, token: str, *, max_age: int, now: float | None = None) -> LaunchIdentity | None:
    """The identity in ``token``, or None when it is forged, damaged or older than max_age."""
    body, _, mac = token.encode("ascii", "replace").partition(b".")
    if not hmac.compare_digest(mac, _mac(secret, body)):
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(body + b"=" * (-len(body) % 4)))
        if int(payload["t"]) + max_age < (time.time() if now is None else now):
            return None
        return LaunchIdentity(
            session_id=str(payload["s"]),
            person_id=int(payload["p"]),
            platform_id=int(payload["pl"]),
            deployment_id=str(payload["d"]),
            course_id=None if payload["c"] is None else int(payload["c"]),
            institution_id=None if payload.get("i") is None else int(payload["i"]),
            roles=frozenset(str(r) for r in payload["r"]),
            launch_id=str(payload["l"]),
            message_type=str(payload["m"]),
            timezone=str(payload.get("z") or ""),
        )
    except (KeyError, TypeError, ValueError, binascii.Error):
        return None
