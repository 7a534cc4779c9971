"""What every part's views share: the request's database session, the signed-in identity,
CSRF protection, and errors meant for people.

Kept on the ground floor so catalog/ and grading/ views need nothing from lti_tool/.

Every state-changing request carries a CSRF token bound to the principal that authorises it:
inside the LMS iframe the launch session (``lt``), on the top-level portals the cookie
session. A blueprint says which one authorises its views (``protect(bp, by=...)``); on cookie
routes a launch token is ignored altogether, so a token derived from anyone's launch can
never stand in for the cookie's owner.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any, ParamSpec, TypeVar
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, g, request
from markupsafe import Markup
from sqlalchemy import Connection
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound as NotFoundPage
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

from config import cookie_session, launch_session, runtime, timezones
from config.identity import LaunchIdentity, Roles

__all__ = ["LaunchIdentity", "Roles"]  # re-exported: views name them from here

P = ParamSpec("P")
R = TypeVar("R")


def db() -> Session:
    """The request's one session; the view commits, teardown closes it.

    In a ``read_only`` view the session runs on an autocommit connection and refuses to
    write: one round trip per query instead of BEGIN, the query, and ROLLBACK.
    """
    session: Session | None = g.get("_db_session")
    if session is None:
        factory = runtime.current().session_factory
        if g.get("_db_read_only"):
            session = factory(bind=autocommit_connection())
            session.info["read_only"] = True
        else:
            session = factory()
        g._db_session = session
    return session


def autocommit_connection() -> Connection:
    """The request's connection for statements that stand alone: each commits by itself.

    For single-statement writes that need no transaction around them (an upsert) and for
    reads; PostgreSQL's READ COMMITTED gives each statement its own snapshot either way.
    """
    connection: Connection | None = g.get("_db_autocommit")
    if connection is None:
        connection = runtime.current().engine.connect().execution_options(
            isolation_level="AUTOCOMMIT"
        )
        g._db_autocommit = connection
    return connection


def read_only(view: Callable[P, R]) -> Callable[P, R]:
    """Mark a view that only reads: its ``db()`` session autocommits and cannot flush."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        g._db_read_only = True
        return view(*args, **kwargs)

    return wrapper


def end_session() -> None:
    """Close the request's session (what it did not commit is rolled back); ``db()`` opens
    a new one."""
    session: Session | None = g.pop("_db_session", None)
    if session is not None:
        session.close()


def close_db(_exc: BaseException | None = None) -> None:
    end_session()
    connection: Connection | None = g.pop("_db_autocommit", None)
    if connection is not None:
        connection.close()


class UserFacingError(Exception):
    """An error whose message is written for the person who sees it (always a 4xx)."""

    status = 400

    def __init__(self, message: str, *, title: str = "", hint: str = "", status: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.title = title or "This request could not be completed"
        self.hint = hint
        if status:
            self.status = status


class NotAllowed(UserFacingError):
    status = 403


class NotFound(UserFacingError):
    status = 404


def launch_identity() -> LaunchIdentity | None:
    """Who the request's launch session says is acting, or None."""
    return _launch()[0]


def launch_token() -> str | None:
    """The request's verified launch token, for links and forms that must carry it."""
    return _launch()[1]


def set_launch(identity: LaunchIdentity, token: str) -> None:
    """The launch view has just issued ``token``: the rest of the request acts as it."""
    g._launch = (identity, token)


def _launch() -> tuple[LaunchIdentity | None, str | None]:
    # Read on first use, not before every request: the LTI login and launch never need it.
    found: tuple[LaunchIdentity | None, str | None] | None = g.get("_launch")
    if found is None:
        found = _read_launch()
        g._launch = found
    return found


def _read_launch() -> tuple[LaunchIdentity | None, str | None]:
    """The launch session named in the query, the form, a header, or the partitioned cookie.

    Nobody's on a cookie route: there the top-level cookie session alone authorises.
    """
    if g.get("_principal") is Principal.COOKIE:
        return None, None
    token = (
        request.args.get(LAUNCH_TOKEN_PARAM)
        or (request.form.get(LAUNCH_TOKEN_PARAM) if request.method == "POST" else None)
        or request.headers.get("X-Launch-Token")
        or request.cookies.get(launch_session.COOKIE_NAME)
    )
    if not token:
        return None, None
    settings = runtime.current().settings
    identity = launch_session.read(
        settings.secret_key, token, max_age=settings.launch_session_hours * 3600
    )
    if identity is None or not _platform_still_active(identity.platform_id):
        return None, None
    return identity, token


PLATFORM_ACTIVE = "microbridge.platform_active"


def _platform_still_active(platform_id: int) -> bool:
    """A deactivated platform's launch sessions end with it; the composition root says how
    to tell (``app.extensions[PLATFORM_ACTIVE]``), and without that nobody's launch counts."""
    check: Callable[[Connection, int], bool] | None = current_app.extensions.get(PLATFORM_ACTIVE)
    return check is not None and check(autocommit_connection(), platform_id)


def require_launch() -> LaunchIdentity:
    identity = launch_identity()
    if identity is None:
        raise UserFacingError(
            "This page opens from your course in the LMS, and your session with it has ended "
            "or was never started.",
            title="Please open Microbridge from your course",
            hint="Go back to your course in Canvas or Moodle and open the Microbridge link again.",
            status=401,
        )
    return identity


def require_instructor() -> LaunchIdentity:
    identity = require_launch()
    if not identity.is_instructor:
        raise NotAllowed(
            "This page is for the course's instructors.",
            title="Instructors only",
            hint="If you teach this course, ask your LMS administrator to check your role.",
        )
    return identity


LAUNCH_TOKEN_PARAM = "lt"  # noqa: S105 (a parameter name, not a secret)


def url(endpoint: str, **values: Any) -> str:
    """``url_for`` that carries the launch-scoped session token inside the LMS iframe.

    Third-party cookies are often blocked in the iframe, so every link and redirect of a
    launched page names its session explicitly.
    """
    from flask import url_for

    token = launch_token()
    if token and LAUNCH_TOKEN_PARAM not in values:
        values[LAUNCH_TOKEN_PARAM] = token
    return url_for(endpoint, **values)


def launch_field() -> Markup:
    """A hidden form field naming the launch session, for forms inside the LMS iframe."""
    token = launch_token()
    if not token:
        return Markup("")
    return Markup('<input type="hidden" name="{}" value="{}">').format(LAUNCH_TOKEN_PARAM, token)


def person_zone() -> ZoneInfo | None:
    """The acting person's time zone: the LMS's from the launch, else the browser's, else None (UTC).

    The browser's travels as the ``tz`` field static/js/timezone.js fills in each form (or a
    ``tz`` query value): nothing is stored, so no cookie is needed inside the LMS iframe and
    two browsers in different zones on one launch each read their own.
    """
    identity = launch_identity()
    if identity is not None and identity.timezone:
        return timezones.zone_named(identity.timezone)
    sent = None
    if request.method == "POST":
        try:
            sent = request.form.get("tz")
        except RequestEntityTooLarge:  # the page refusing that body must not read it
            sent = None
    return timezones.zone_named(sent or request.args.get("tz"))


def shown_time(value: datetime) -> Markup:
    """A <time> in the person's zone; without a known zone it is UTC, marked for the browser's."""
    zone = person_zone()
    text = timezones.shown(value, zone)
    if zone:
        return Markup('<time datetime="{}">{}</time>').format(value.isoformat(), text)
    return Markup('<time datetime="{}" data-local>{}</time>').format(value.isoformat(), text)


class Principal(StrEnum):
    """Who authorises a view's requests, and so what its CSRF token is bound to."""

    LAUNCH = "launch"  # the LTI launch session; cookies play no part
    COOKIE = "cookie"  # the top-level cookie session; a launch token is ignored
    EITHER = "either"  # a launch when the request names a valid one, else the cookie


_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_FIELD = "csrf_token"
V = TypeVar("V", bound=Callable[..., Any])


def protect(bp: Blueprint, *, by: Principal) -> Blueprint:
    """Check CSRF on every state-changing request of this blueprint; expose the token."""

    def before() -> None:
        view = current_app.view_functions.get(request.endpoint or "")
        g._principal = getattr(view, "authorised_by", by)
        check_csrf()

    bp.before_request(before)
    bp.add_app_template_global(csrf_token, CSRF_FIELD)
    return bp


def authorised_by(principal: Principal) -> Callable[[V], V]:
    """Mark one view whose principal differs from its blueprint's (a sign-in page)."""

    def mark(view: V) -> V:
        setattr(view, "authorised_by", principal)  # noqa: B010 (a plain attribute on a function)
        return view

    return mark


def csrf_token() -> str:
    """The token this request's forms carry, bound to the principal that authorises it.

    Masked afresh on every call (a random pad and the pad XOR the secret), so that a compressed
    page never repeats the same secret bytes twice: the BREACH defence for gzip over TLS."""
    secret = _principal_secret()
    if secret is None:
        return ""
    pad = secrets.token_bytes(len(secret))
    return (pad + bytes(a ^ b for a, b in zip(pad, secret, strict=True))).hex()


def _principal_secret() -> bytes | None:
    principal = _acting_principal()
    if principal is None:
        return None
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"csrf:{principal}".encode(), hashlib.sha256).digest()


def _unmasked(sent: str) -> bytes | None:
    try:
        raw = bytes.fromhex(sent)
    except ValueError:
        return None
    half = len(raw) // 2
    if half == 0 or len(raw) != 2 * half:
        return None
    return bytes(a ^ b for a, b in zip(raw[:half], raw[half:], strict=True))


def check_csrf() -> None:
    if request.method not in _UNSAFE:
        return
    sent = _unmasked(request.form.get(CSRF_FIELD, ""))
    expected = _principal_secret()
    if sent is None or expected is None or not hmac.compare_digest(sent, expected):
        raise UserFacingError(
            "This form was sent without the security token it needs, or with an old one.",
            title="Form expired",
            hint="Go back, reload the page and send the form again.",
        )


def top_level_only() -> bool:
    """Whether this page belongs to a cookie session (portals, the operator): such pages are
    never framed, while pages inside the LMS must be."""
    by = g.get("_principal")
    return by is Principal.COOKIE or (by is Principal.EITHER and launch_identity() is None)


def _acting_principal() -> str | None:
    by = g.get("_principal", Principal.EITHER)
    if by is not Principal.COOKIE:
        identity = launch_identity()
        if identity is not None:
            return "launch:" + identity.session_id
        if by is Principal.LAUNCH:
            return None
    return "cookie:" + cookie_session.csrf_secret()


class BigintId(IntegerConverter):
    """``<int:...>`` for ids an id column can hold: a larger number names a page that cannot
    exist (404 whatever the method), never a database overflow (500). Ids are Integer columns,
    int4 on PostgreSQL, so the bound is 2**31 - 1 there and on SQLite alike."""

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > ID_MAX:
            raise NotFoundPage()
        return number


ID_MAX = 2**31 - 1
