"""The top-level cookie session: who is signed in to the employer, curator or operator pages.

Flask's signed cookie names a random session id; the store keeps that id (hashed) for as long
as a sign-in lasts. Signing out deletes it there, so a copied cookie stops working at once,
and a sign-in older than its kind allows is refused even if the cookie were kept.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import g, session

from config import runtime
from config.database import utcnow

SIGN_IN_LASTS = timedelta(hours=12)


def _store_key(sid: str) -> str:
    return "web-session:" + hashlib.sha256(sid.encode()).hexdigest()


def sign_in(kind: str, account_id: int, *, lasts: timedelta = SIGN_IN_LASTS) -> None:
    """Start a fresh session for this account: nothing from before the sign-in survives it."""
    sign_out()
    sid = secrets.token_urlsafe(32)
    runtime.current().store.put(_store_key(sid), f"{kind}:{account_id}", int(lasts.total_seconds()))
    session["portal"] = {"kind": kind, "id": account_id, "at": utcnow().isoformat(), "sid": sid}


def sign_out() -> None:
    """End the session here and on the server: the same cookie sent again is nobody's."""
    sid = _sid()
    if sid:
        runtime.current().store.delete(_store_key(sid))
    session.clear()
    g.pop("_cookie_account", None)


def signed_in(kind: str, *, lasts: timedelta = SIGN_IN_LASTS) -> int | None:
    """The account id signed in as ``kind``: recent enough and not signed out since."""
    data = session.get("portal")
    if not isinstance(data, dict) or data.get("kind") != kind:
        return None
    try:
        at = datetime.fromisoformat(str(data["at"]))
        account_id = int(data["id"])
    except (KeyError, TypeError, ValueError):
        return None
    if utcnow() - at > lasts or not _live(f"{kind}:{account_id}"):
        return None
    return account_id


def csrf_secret() -> str:
    """What a cookie route's CSRF token is derived from: this browser's nonce and session id."""
    nonce = session.get("_csrf")
    if not isinstance(nonce, str) or not nonce:
        nonce = secrets.token_urlsafe(32)
        session["_csrf"] = nonce
    return f"{nonce}:{_sid()}"


def _sid() -> str:
    data = session.get("portal")
    sid = data.get("sid") if isinstance(data, dict) else None
    return sid if isinstance(sid, str) else ""


def _live(expected: str) -> bool:
    """Whether the store still holds this session for this account (read once per request)."""
    cached: dict[str, bool] = g.setdefault("_cookie_account", {})
    if expected not in cached:
        sid = _sid()
        cached[expected] = bool(sid) and runtime.current().store.get(_store_key(sid)) == expected
    return cached[expected]
