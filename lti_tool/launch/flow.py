"""The launch, step by step: from the form the LMS posts to where the browser goes next.

``receive`` takes the id_token form and returns what happens next: the launch is accepted,
or the browser must prove the state through the platform's storage (LTI platform storage),
or start again in a new window. ``confirm`` finishes a platform-storage launch. ``enter``
records an accepted launch and runs the placement step. The views map each outcome to a
response (templates, cookies, redirects); nothing here touches Flask's request.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from config import launch_session
from config.web import LaunchIdentity
from grading.courses.service import LearnerLanding
from lti_tool.launch import login as login_service
from lti_tool.launch import message, service
from lti_tool.launch.errors import LaunchRejected, expired_or_used
from lti_tool.launch.placement_step import Landing, after_launch, placed_link_id
from lti_tool.registry.models import Platform
from lti_tool.runtime import ToolRuntime

STATE_COOKIE_PREFIX = "lti_state_"
TICKET_TTL = 120


@dataclass(frozen=True)
class Accepted:
    """Validated, its nonce used and its data kept under ``launch_id``: ready to enter."""

    platform_id: int
    institution_id: int | None
    checked: service.CheckedLaunch
    body: dict[str, Any]
    launch_id: str
    state_cookie: str
    """The state cookie to clear ("" when the state was proven another way)."""


@dataclass(frozen=True)
class ConfirmInStorage:
    """No state cookie came back: read the state from the LMS's storage frame, then confirm."""

    ticket: str
    state: str
    target: str
    origin: str
    restart_url: str


@dataclass(frozen=True)
class RestartInNewWindow:
    """Neither cookie nor platform storage: only a fresh login in a new window can prove it."""

    restart_url: str


Received = Accepted | ConfirmInStorage | RestartInNewWindow


@dataclass(frozen=True)
class Entered:
    identity: LaunchIdentity
    token: str
    landing: Landing
    learner_landing: LearnerLanding


def state_cookie_name(state: str) -> str:
    return STATE_COOKIE_PREFIX + state


def receive(
    form: Mapping[str, str], cookies: Mapping[str, str], *, rt: ToolRuntime, session: Session
) -> Received:
    """Check the id_token against the login that began it. ``session`` is written to only
    when the platform vouches for a new deployment: the caller commits it."""
    if not form.get("id_token"):
        raise LaunchRejected("id_token_missing", "The LMS sent no launch message (id_token).")
    state = form.get("state", "")
    token = message.parse(form["id_token"])
    cookie = state_cookie_name(state)
    # The first POST naming a state uses it up, whatever happens next: a replayed or doubled
    # form finds it gone (LTI-NOTES pitfall 2). When the state cookie came back (the usual
    # case), the nonce and the launch data go in the same store step.
    used = None
    if state and cookies.get(cookie) == state:
        used = service.use_state_and_nonce(
            rt.store, state_key=login_service.state_key(state), body=token.body
        )
        record = used.record
    else:
        record = login_service.take_state(rt.store, state)
    if record is None:
        raise expired_or_used()
    try:
        valid = message.validate(
            token, session=session, keys=rt.platform_keys,
            leeway=rt.settings.jwt_leeway_seconds, expected_nonce=str(record["nonce"]),
        )
        if valid.platform.id != record["platform_id"]:
            raise LaunchRejected(
                "state_mismatch", "The launch does not match the login that began it."
            )
        if used is not None:
            used.check_nonce_was_new()
            checked = service.check_launch(valid.body)
    except LaunchRejected:
        if used is not None:
            used.forget(rt.store)
        raise
    if used is not None:
        return Accepted(
            valid.platform.id, valid.platform.institution_id, checked, valid.body,
            launch_id=used.launch_id, state_cookie=cookie,
        )
    if form.get("lti_storage_target"):
        return _ask_platform_storage(
            rt, session, state=state, record=record, body=valid.body,
            target=form["lti_storage_target"],
        )
    return RestartInNewWindow(_restart_url(rt, record))


def confirm(form: Mapping[str, str], *, rt: ToolRuntime, session: Session) -> Accepted:
    """Second half of a platform-storage launch: the page read the state back from the LMS."""
    ticket = rt.store.take(f"lti-ticket:{form.get('ticket', '')}")
    if ticket is None:
        raise expired_or_used()
    pending = json.loads(ticket)
    if not secrets.compare_digest(str(form.get("state", "")), pending["state"]):
        raise LaunchRejected(
            "state_mismatch",
            "The launch could not be confirmed with the LMS in this browser.",
            hint="Go back to your course and open the Microbridge link again.",
        )
    platform = session.get(Platform, pending["platform_id"])
    if platform is None:
        raise expired_or_used()
    checked = service.check_launch(pending["body"])
    launch_id = service.use_nonce(rt.store, issuer=platform.issuer, body=pending["body"])
    return Accepted(
        platform.id, platform.institution_id, checked, pending["body"],
        launch_id=launch_id, state_cookie="",
    )


def enter(
    accepted: Accepted, *, rt: ToolRuntime, connection: Connection, session: Session
) -> Entered:
    """Record the person and course, issue the launch session, run the placement step."""
    body = accepted.body
    recorded = service.record_launch(
        connection, accepted.checked, platform_id=accepted.platform_id,
        institution_id=accepted.institution_id, body=body, launch_id=accepted.launch_id,
        link_id=placed_link_id(body),
    )
    identity = recorded.identity
    token = launch_session.issue(rt.settings.secret_key, identity)
    # The placement step: find or set up the link's placement; it decides the landing page.
    landing = after_launch(
        session, identity=identity, body=body, placement_at_link=recorded.placement_at_link
    )
    return Entered(identity, token, landing, recorded.learner_landing)


def _ask_platform_storage(
    rt: ToolRuntime, session: Session, *, state: str, record: dict[str, Any],
    body: dict[str, Any], target: str,
) -> ConfirmInStorage:
    ticket = secrets.token_urlsafe(24)
    pending = {"state": state, "platform_id": record["platform_id"], "body": body}
    rt.store.put(f"lti-ticket:{ticket}", json.dumps(pending), TICKET_TTL)
    platform = session.get(Platform, record["platform_id"])
    assert platform is not None
    return ConfirmInStorage(
        ticket=ticket, state=state, target=target,
        origin=login_service.origin_of(platform.auth_login_url),
        restart_url=_restart_url(rt, record),
    )


def _restart_url(rt: ToolRuntime, record: dict[str, Any]) -> str:
    params = dict(record.get("restart", {}))
    return rt.settings.base_url + "/lti/login?" + urlencode(params)
