"""OIDC login initiation and the launch: thin views over login.py and flow.py.

A launch is bound to the browser that started it by the state value, proven one of three
ways: a partitioned state cookie, the platform's storage frame (LTI platform storage, which
Canvas offers as ``lti_storage_target``), or, failing both, by restarting in a new window.
"""

from __future__ import annotations

from flask import Blueprint, make_response, redirect, render_template, request
from werkzeug.wrappers import Response

from config import launch_session, runtime
from config.web import autocommit_connection, db, set_launch
from grading.courses import seen_at_launch
from lti_tool import runtime as tool_runtime
from lti_tool.launch import flow, landing_page
from lti_tool.launch import login as login_service

bp = Blueprint("lti_launch", __name__)


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
        db(), autocommit_connection, runtime.current().store, params, launch_url=_launch_url()
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
        response, flow.state_cookie_name(start.state), start.state,
        login_service.STATE_TTL, "/lti/",
    )
    return response


@bp.post("/lti/launch")
def launch() -> Response | str:
    rt = tool_runtime.current()
    session = db()
    received = flow.receive(request.form.to_dict(), request.cookies, rt=rt, session=session)
    if session.in_transaction():  # a registration read, or a deployment the platform vouched for
        session.commit()
    if isinstance(received, flow.Accepted):
        return _enter(received)
    if isinstance(received, flow.ConfirmInStorage):
        return render_template(
            "lti/storage_confirm.html.jinja2", ticket=received.ticket, state=received.state,
            target=received.target, origin=received.origin, restart_url=received.restart_url,
        )
    return render_template("lti/new_window.html.jinja2", restart_url=received.restart_url)


@bp.post("/lti/launch/confirm")
def confirm() -> Response:
    """Second half of a platform-storage launch: the page read the state back from the LMS."""
    accepted = flow.confirm(request.form.to_dict(), rt=tool_runtime.current(), session=db())
    return _enter(accepted)


def _enter(accepted: flow.Accepted) -> Response:
    """Record the launch, then answer with its landing page and the launch session."""
    rt = tool_runtime.current()
    entered = flow.enter(accepted, rt=rt, connection=autocommit_connection(), session=db())
    set_launch(entered.identity, entered.token)
    seen_at_launch.remember(entered.identity, entered.learner_landing)
    response = landing_page.answer_with(entered.landing.location())
    _set_partitioned(
        response, launch_session.COOKIE_NAME, entered.token,
        rt.settings.launch_session_hours * 3600, "/",
    )
    if accepted.state_cookie:
        response.delete_cookie(accepted.state_cookie, path="/lti/")
    return response
