"""Portal plumbing for views: the signed-in account, CSRF tokens, sign-in links.

The portals are top-level pages, so Flask's signed session cookie (SameSite=Lax) carries who
is signed in. State-changing forms also carry a CSRF token: from the cookie session in the
portal, or derived from the launch session inside the LMS iframe, where cookies may be
blocked.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Blueprint, current_app, request, session, url_for

from catalog.portal.service import LinkPolicy
from config import runtime
from config.database import utcnow
from config.settings import Settings
from config.web import UserFacingError, launch_identity

SIGN_IN_LASTS = timedelta(hours=12)
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def settings() -> Settings:
    return runtime.current().settings


def link_policy() -> LinkPolicy:
    s = settings()
    return LinkPolicy(minutes=s.magic_link_minutes, per_hour=s.magic_link_per_hour)


def link_builder(endpoint: str) -> Callable[[str], str]:
    """Absolute links under the configured base URL (emails leave the request behind)."""
    base = settings().base_url

    def build(token: str) -> str:
        return base + url_for(endpoint, token=token)

    return build


def csrf_token() -> str:
    identity = launch_identity()
    if identity is not None:
        key = current_app.config["SECRET_KEY"].encode()
        return hmac.new(key, f"csrf:{identity.session_id}".encode(), hashlib.sha256).hexdigest()
    token = session.get("_csrf")
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session["_csrf"] = token
    return token


def check_csrf() -> None:
    if request.method not in _UNSAFE:
        return
    sent = request.form.get("csrf_token", "")
    if not sent or not hmac.compare_digest(sent, csrf_token()):
        raise UserFacingError(
            "This form was sent without the security token it needs, or with an old one.",
            title="Form expired",
            hint="Go back, reload the page and send the form again.",
        )


def protect(bp: Blueprint) -> Blueprint:
    """Check CSRF on every state-changing request of this blueprint; expose the token."""
    bp.before_request(check_csrf)
    bp.add_app_template_global(csrf_token, "csrf_token")
    return bp


def sign_in(kind: str, account_id: int) -> None:
    session.clear()  # nothing from before the sign-in survives it
    session["portal"] = {"kind": kind, "id": account_id, "at": utcnow().isoformat()}


def sign_out() -> None:
    session.clear()


def signed_in(kind: str) -> int | None:
    """The account id signed in as ``kind``, if the sign-in is recent enough."""
    data = session.get("portal")
    if not isinstance(data, dict) or data.get("kind") != kind:
        return None
    try:
        at = datetime.fromisoformat(str(data["at"]))
        account_id = int(data["id"])
    except (KeyError, TypeError, ValueError):
        return None
    if utcnow() - at > SIGN_IN_LASTS:
        return None
    return account_id


@dataclass
class FormState:
    """What a simple form shows again: the values sent and a message per field."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, *names: str) -> FormState:
        return cls(values={name: request.form.get(name, "").strip() for name in names})

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    @property
    def ok(self) -> bool:
        return not self.errors


def safe_next(target: str | None, default: str) -> str:
    """Only same-site paths: a sign-in must not redirect anyone elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default
