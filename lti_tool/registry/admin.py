"""Who may administer platforms: the tool's operator, or an LMS administrator for their own.

The operator signs in top-level with a short-lived link from ``microbridge admin-link``; an
LMS administrator arrives through an LTI launch and sees only their institution's platforms.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import session as cookie_session
from itsdangerous import BadSignature, URLSafeTimedSerializer

from config.web import NotAllowed, launch_identity

SALT = "microbridge.operator-link.v1"
LINK_MAX_AGE = 15 * 60


@dataclass(frozen=True)
class AdminScope:
    operator: bool
    institution_id: int | None

    def may_manage(self, institution_id: int | None) -> bool:
        return self.operator or (
            self.institution_id is not None and institution_id == self.institution_id
        )


def operator_link_token(secret: str) -> str:
    return URLSafeTimedSerializer(secret, salt=SALT).dumps({"operator": True})


def accept_operator_link(secret: str, token: str) -> bool:
    try:
        URLSafeTimedSerializer(secret, salt=SALT).loads(token, max_age=LINK_MAX_AGE)
    except BadSignature:
        return False
    cookie_session["operator"] = True
    return True


def require_admin() -> AdminScope:
    if cookie_session.get("operator") is True:
        return AdminScope(operator=True, institution_id=None)
    identity = launch_identity()
    if identity is not None and identity.is_admin:
        return AdminScope(operator=False, institution_id=identity.institution_id)
    raise NotAllowed(
        "Platform administration is for Microbridge's operator and LMS administrators.",
        title="Administrators only",
        hint="Operators: run `microbridge admin-link` and open the link it prints. "
        "LMS administrators: open Microbridge from your LMS with an administrator role.",
    )
