"""What every part's views share: the request's database session, the signed-in identity,
and errors meant for people.

Kept on the ground floor so catalog/ and grading/ views need nothing from lti_tool/.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

from flask import g
from markupsafe import Markup
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from config import runtime

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


def close_db(_exc: BaseException | None = None) -> None:
    session: Session | None = g.pop("_db_session", None)
    if session is not None:
        session.close()
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


class Roles:
    """The roles Microbridge acts on, whichever LTI URI the platform used."""

    INSTRUCTOR = "Instructor"
    TEACHING_ASSISTANT = "TeachingAssistant"
    LEARNER = "Learner"
    ADMINISTRATOR = "Administrator"


@dataclass(frozen=True)
class LaunchIdentity:
    """Who is acting inside the LMS, from a validated LTI launch."""

    session_id: str
    person_id: int
    platform_id: int
    deployment_id: str
    course_id: int | None
    institution_id: int | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    launch_id: str = ""
    message_type: str = ""

    @property
    def is_instructor(self) -> bool:
        return bool(self.roles & {Roles.INSTRUCTOR, Roles.TEACHING_ASSISTANT, Roles.ADMINISTRATOR})

    @property
    def is_learner(self) -> bool:
        return Roles.LEARNER in self.roles and not self.is_instructor

    @property
    def is_admin(self) -> bool:
        return Roles.ADMINISTRATOR in self.roles


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
    """The launch session named in the query, the form, a header, or the partitioned cookie."""
    from flask import request

    from config import launch_session

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
    return (identity, token) if identity is not None else (None, None)


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
