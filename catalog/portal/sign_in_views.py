"""The sign-in-by-emailed-link pages every portal shares: ask for a link, "link sent", confirm
the link with a button, sign out. Each portal adds them to its blueprint with its own service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers.response import Response

from catalog.portal import web
from catalog.portal.service import (
    LinkPolicy,
    TooManyLinks,
    check_client_rate,
    email_problem,
    peek,
)
from config import runtime
from config.mail import outbox_visible
from config.ratelimit import request_client
from config.store import KeyValueStore
from config.web import Principal, authorised_by, db


class Account(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def email(self) -> str: ...


class RequestSignIn(Protocol):
    def __call__(self, session: Session, *, email: str, store: KeyValueStore, policy: LinkPolicy,
                 link_for: Callable[[str], str]) -> None: ...


class CompleteSignIn(Protocol):
    def __call__(self, session: Session, *, token: str) -> Account: ...


@dataclass(frozen=True)
class Portal:
    """One portal's names: what the shared templates link to and whom a link signs in."""

    name: str
    """Shown in headings: "Employer portal"."""
    blueprint: str
    kind: str
    """The account kind a link signs in (the service's ``KIND``)."""
    home: str
    """The endpoint a fresh sign-in lands on."""
    request_sign_in: RequestSignIn
    complete_sign_in: CompleteSignIn
    sign_up: str = ""
    """The sign-up endpoint, for portals that let newcomers in."""

    def endpoint(self, view: str) -> str:
        return f"{self.blueprint}.{view}"

    @property
    def sign_in(self) -> str:
        return self.endpoint("sign_in")

    @property
    def sent(self) -> str:
        return self.endpoint("sent")

    @property
    def confirm(self) -> str:
        return self.endpoint("confirm")


def add_sign_in_routes(
    bp: Blueprint, portal: Portal, *, prefix: str = "",
    confirm_view: Callable[[str], str | Response] | None = None,
) -> None:
    """``<prefix>/sign-in``, ``/sign-in/sent``, ``/sign-in/<token>`` and ``/sign-out``;
    ``confirm_view`` replaces the shared confirm page for a portal whose links do more."""

    def sign_in() -> str | Response | tuple[str, int]:
        form = web.FormState(values={"email": request.args.get("email", "")[:320]})
        if request.method == "POST":
            form = web.FormState.read("email")
            form.errors["email"] = email_problem(form.value("email"))
            if not form.errors["email"]:
                try:
                    # Anyone can make this page send mail to any address: count per client.
                    check_client_rate(runtime.current().store, client_ip=request_client(),
                                      per_hour=web.settings().portal_mail_per_ip_hour)
                    portal.request_sign_in(
                        db(), email=form.value("email"), store=runtime.current().store,
                        policy=web.link_policy(), link_for=web.link_builder(portal.confirm),
                    )
                except TooManyLinks as exc:
                    form.errors["email"] = f"{exc.message} {exc.hint}"
                    return _sign_in_page(portal, form), 429
                db().commit()
                return redirect(url_for(portal.sent, email=form.value("email")))
        return _sign_in_page(portal, form)

    def sent() -> str:
        return render_template("catalog/portal/sent.html.jinja2", portal=portal,
                               email=request.args.get("email", "")[:320],
                               minutes=web.settings().magic_link_minutes,
                               outbox=outbox_visible(web.settings()))

    def confirm(token: str) -> str | Response:
        if request.method == "GET":
            # A page with a button, not an instant sign-in: mail scanners that open links
            # must not use up the link.
            link = peek(db(), kind=portal.kind, token=token)
            web.link_opened_here(token)
            return render_template("catalog/portal/confirm.html.jinja2", portal=portal,
                                   email=link.email, token=token)
        peek(db(), kind=portal.kind, token=token)  # a used or expired link says so first
        web.require_link_opened_here(token)
        account = portal.complete_sign_in(db(), token=token)
        db().commit()
        web.sign_in(portal.kind, account.id)
        flash(f"Signed in as {account.email}.")
        return redirect(url_for(portal.home))

    def sign_out() -> Response:
        web.sign_out()
        return redirect(url_for(portal.sign_in))

    # Signing in and out is the cookie session's business, even on a blueprint whose other
    # pages a launch may authorise: a launch token never counts here (login CSRF).
    cookie = authorised_by(Principal.COOKIE)
    bp.add_url_rule(f"{prefix}/sign-in", "sign_in", cookie(sign_in), methods=["GET", "POST"])
    bp.add_url_rule(f"{prefix}/sign-in/sent", "sent", cookie(sent), methods=["GET"])
    bp.add_url_rule(f"{prefix}/sign-in/<token>", "confirm", cookie(confirm_view or confirm),
                    methods=["GET", "POST"])
    bp.add_url_rule(f"{prefix}/sign-out", "sign_out", cookie(sign_out), methods=["POST"])


def _sign_in_page(portal: Portal, form: web.FormState) -> str:
    return render_template("catalog/portal/sign_in.html.jinja2", form=form, portal=portal,
                           next=web.safe_next(request.args.get("next"), ""))
