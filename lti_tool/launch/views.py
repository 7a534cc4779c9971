"""OIDC login initiation and the launch: thin views over login.py, message.py, service.py.

A launch is bound to the browser that started it by the state value, proven one of three
ways: a partitioned state cookie, the platform's storage frame (LTI platform storage, which
Canvas offers as ``lti_storage_target``), or, failing both, by restarting in a new window.
"""

from __future__ import annotations

import json
import secrets
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, make_response, redirect, render_template, request
from werkzeug.wrappers import Response

from config import launch_session, runtime
from config.web import autocommit_connection, db, set_launch
from lti_tool import runtime as tool_runtime
from lti_tool.launch import login as login_service
from lti_tool.launch import message, service
from lti_tool.launch.errors import LaunchRejected, expired_or_used
from lti_tool.launch.placement_step import after_launch, placed_link_id
from lti_tool.registry.cache import PlatformInfo
from lti_tool.registry.models import Platform

bp = Blueprint("lti_launch", __name__)

STATE_COOKIE_PREFIX = "lti_state_"
TICKET_TTL = 120


def _launch_url() -> str:
    return runtime.current().settings.base_url + "/lti/launch"


def _set_partitioned(response: Response, name: str, value: str, max_age: int, path: str) -> None:
    # SameSite=None; Secure; Partitioned (CHIPS): accepted in a cross-site iframe even when
    # third-party cookies are blocked, and sent back only under the same top-level site.
    response.set_cookie(
        name, value, max_age=max_age, path=path, secure=True, httponly=True,
        samesite="None", partitioned=True,
    )


@bp.route("/lti/login", methods=["GET", "POST"])
def login() -> Response | str:
    # LTI Core §5.1.1: the parameters come in the query (GET) or the form body (POST).
    params = (request.form if request.method == "POST" else request.args).to_dict()
    start = login_service.begin_login(
        db(), runtime.current().store, params, launch_url=_launch_url()
    )
    response: Response
    if start.storage_target:
        response = make_response(
            render_template(
                "lti/storage_login.html.jinja2",
                auth_url=start.auth_url,
                state=start.state,
                nonce=start.nonce,
                target=start.storage_target,
                origin=start.platform_origin,
            )
        )
    else:
        response = redirect(start.auth_url, code=302)
    _set_partitioned(
        response, STATE_COOKIE_PREFIX + start.state, start.state,
        login_service.STATE_TTL, "/lti/",
    )
    return response


@bp.post("/lti/launch")
def launch() -> Response | str:
    form = request.form.to_dict()
    state = form.get("state", "")
    if not form.get("id_token"):
        raise LaunchRejected("id_token_missing", "The LMS sent no launch message (id_token).")
    rt = runtime.current()
    token = message.parse(form["id_token"])
    state_cookie = STATE_COOKIE_PREFIX + state
    # The first POST naming a state uses it up, whatever happens next: a replayed or doubled
    # form finds it gone (LTI-NOTES pitfall 2). When the state cookie came back (the usual
    # case), the nonce and the launch data go in the same store step.
    used = None
    if state and request.cookies.get(state_cookie) == state:
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
            token, session=db(), keys=tool_runtime.current().platform_keys,
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
        return _finish(
            valid.platform, checked, valid.body, launch_id=used.launch_id, state_cookie=state_cookie
        )
    if form.get("lti_storage_target"):
        return _confirm_with_platform_storage(state, record, valid.body, form["lti_storage_target"])
    return _offer_new_window(record)


@bp.post("/lti/launch/confirm")
def confirm() -> Response | str:
    """Second half of a platform-storage launch: the page read the state back from the LMS."""
    rt = runtime.current()
    ticket = rt.store.take(f"lti-ticket:{request.form.get('ticket', '')}")
    if ticket is None:
        raise expired_or_used()
    pending = json.loads(ticket)
    if not secrets.compare_digest(str(request.form.get("state", "")), pending["state"]):
        raise LaunchRejected(
            "state_mismatch",
            "The launch could not be confirmed with the LMS in this browser.",
            hint="Go back to your course and open the Microbridge link again.",
        )
    platform = db().get(Platform, pending["platform_id"])
    if platform is None:
        raise expired_or_used()
    checked = service.check_launch(pending["body"])
    launch_id = service.use_nonce(rt.store, issuer=platform.issuer, body=pending["body"])
    return _finish(platform, checked, pending["body"], launch_id=launch_id, state_cookie="")


def _finish(
    platform: Platform | PlatformInfo,
    checked: service.CheckedLaunch,
    body: dict[str, Any],
    *,
    launch_id: str,
    state_cookie: str,
) -> Response:
    """The nonce is used and the launch data kept (under ``launch_id``): record, redirect."""
    rt = runtime.current()
    recorded = service.record_launch(
        autocommit_connection(), checked, platform_id=platform.id,
        institution_id=platform.institution_id, body=body, launch_id=launch_id,
        link_id=placed_link_id(body),
    )
    identity = recorded.identity
    token = launch_session.issue(rt.settings.secret_key, identity)
    set_launch(identity, token)
    # The placement step: find or set up the link's placement; it decides the landing page.
    landing = after_launch(
        db(), identity=identity, body=body, placement_at_link=recorded.placement_at_link
    )
    response = redirect(landing.location(), code=303)
    _set_partitioned(
        response, launch_session.COOKIE_NAME, token, rt.settings.launch_session_hours * 3600, "/"
    )
    if state_cookie:
        response.delete_cookie(state_cookie, path="/lti/")
    return response


def _confirm_with_platform_storage(
    state: str, record: dict[str, Any], body: dict[str, Any], target: str
) -> str:
    rt = runtime.current()
    ticket = secrets.token_urlsafe(24)
    pending = {"state": state, "platform_id": record["platform_id"], "body": body}
    rt.store.put(f"lti-ticket:{ticket}", json.dumps(pending), TICKET_TTL)
    platform = db().get(Platform, record["platform_id"])
    assert platform is not None
    return render_template(
        "lti/storage_confirm.html.jinja2",
        ticket=ticket,
        state=state,
        target=target,
        origin=login_service.origin_of(platform.auth_login_url),
        restart_url=_restart_url(record),
    )


def _offer_new_window(record: dict[str, Any]) -> str:
    return render_template("lti/new_window.html.jinja2", restart_url=_restart_url(record))


def _restart_url(record: dict[str, Any]) -> str:
    params = dict(record.get("restart", {}))
    return runtime.current().settings.base_url + "/lti/login?" + urlencode(params)
