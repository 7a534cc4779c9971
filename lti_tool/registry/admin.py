"""Who may administer platforms: the tool's operator, or an LMS administrator for their own.

The operator signs in top-level with a short-lived, single-use link from
``microbridge admin-link``; the sign-in is a server-side cookie session with its own, shorter
life. An LMS administrator arrives through an LTI launch and sees only their institution's
platforms. A request that names a launch is the launch's, as its CSRF token is.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer

from config import cookie_session
from config.store import KeyValueStore
from config.web import NotAllowed, launch_identity

SALT = "microbridge.operator-link.v2"
LINK_MAX_AGE = 15 * 60
OPERATOR = "operator"
OPERATOR_SESSION_LASTS = timedelta(hours=2)


@dataclass(frozen=True)
class AdminScope:
    operator: bool
    institution_id: int | None

    def may_manage(self, institution_id: int | None) -> bool:
        return self.operator or (
            self.institution_id is not None and institution_id == self.institution_id
        )


def operator_link_token(secret: str) -> str:
    return URLSafeTimedSerializer(secret, salt=SALT).dumps({"operator": secrets.token_urlsafe(16)})


def accept_operator_link(secret: str, token: str, *, store: KeyValueStore) -> bool:
    """Sign the operator in, once per link and only within its first 15 minutes."""
    try:
        data = URLSafeTimedSerializer(secret, salt=SALT).loads(token, max_age=LINK_MAX_AGE)
    except BadSignature:
        return False
    link_id = data.get("operator") if isinstance(data, dict) else None
    if not isinstance(link_id, str) or not store.add(
        f"operator-link:{link_id}", "used", LINK_MAX_AGE + 60
    ):
        return False
    cookie_session.sign_in(OPERATOR, 0, lasts=OPERATOR_SESSION_LASTS)
    return True


def require_admin() -> AdminScope:
    identity = launch_identity()
    if identity is not None and identity.is_admin:
        return AdminScope(operator=False, institution_id=identity.institution_id)
    if identity is None and cookie_session.signed_in(OPERATOR, lasts=OPERATOR_SESSION_LASTS) == 0:
        return AdminScope(operator=True, institution_id=None)
    raise NotAllowed(
        "Platform administration is for Microbridge's operator and LMS administrators.",
        title="Administrators only",
        hint="Operators: run `microbridge admin-link` and open the link it prints. "
        "LMS administrators: open Microbridge from your LMS with an administrator role.",
    )
