"""The launch-scoped session token that carries a launched user through the iframe.

Third-party cookies are blocked in many browsers, so after a launch every page link and form
names its session explicitly with a signed, expiring token (a partitioned cookie carries the
same token where the browser keeps one).
"""

from __future__ import annotations

from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

from microbridge.config.web import LaunchIdentity

SALT = "microbridge.launch-session.v1"
COOKIE_NAME = "mb_launch"


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=SALT)


def issue(secret: str, identity: LaunchIdentity) -> str:
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
    }
    return _serializer(secret).dumps(payload)


def read(secret: str, token: str, *, max_age: int) -> LaunchIdentity | None:
    try:
        payload = _serializer(secret).loads(token, max_age=max_age)
    except BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    try:
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
        )
    except (KeyError, TypeError, ValueError):
        return None
