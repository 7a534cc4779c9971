"""Email settings: each person turns each kind of notice on or off.

From a notice, the signed unsubscribe link needs no sign-in (mail clients POST to it for
one-click unsubscribe, RFC 8058, so it carries no form token: the signature is the authority,
and it can only turn off, or back on, one kind for the one address it names). Signed-in
people have a settings page: employers and curators in their portals, LMS people from a
launch.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, g, redirect, render_template, request
from werkzeug.wrappers import Response

from catalog.curation.access import require_curator
from catalog.employers.access import require_member
from config import notices, runtime
from config.web import (
    Principal,
    UserFacingError,
    authorised_by,
    db,
    protect,
    require_launch,
    url,
)
from grading.people.models import Person

bp = protect(Blueprint("mail_settings", __name__), by=Principal.EITHER)
unsubscribe_bp = Blueprint("unsubscribe", __name__)


@unsubscribe_bp.before_request
def _top_level() -> None:
    # A top-level page of no session: never framed, and no launch token counts here.
    g._principal = Principal.COOKIE


@unsubscribe_bp.route("/mail/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> tuple[str, int] | str:
    found = notices.read_unsubscribe_token(runtime.current().settings.secret_key, token)
    if found is None:
        raise UserFacingError(
            "This unsubscribe link is not one Microbridge made, or it was cut short.",
            title="Link not recognised",
            hint="Copy the whole link from the email, or change your email settings after "
            "signing in.",
            status=400,
        )
    address, kind = found
    if request.method == "GET":  # a link scanner's visit must not unsubscribe anyone
        return render_template("grading/notices/unsubscribe.html.jinja2", address=address,
                               kind=kind, token=token, done=None)
    # One-click (the mail client's "List-Unsubscribe=One-Click") or the page's button.
    wanted = request.form.get("action") == "on"
    session = db()
    notices.set_wanted(session, address=address, kind=kind.name, wanted=wanted)
    session.commit()
    return render_template("grading/notices/unsubscribe.html.jinja2", address=address,
                           kind=kind, token=token, done="on" if wanted else "off")


@dataclass(frozen=True)
class PortalHeader:
    """The portal's own header, so the page sits among the person's other pages."""

    label: str
    nav: list[tuple[str, str]]
    sign_out: str


EMPLOYER_NAV = [("employers.dashboard", "Projects"), ("employer_reviews.inbox", "Reviews"),
                ("employers.team", "Team"), ("mail_settings.employer", "Email")]
CURATOR_NAV = [("curation.queue", "Review queue"), ("curation.catalog", "Our catalog"),
               ("catalog.index", "Search"), ("curation.curators", "Curators"),
               ("mail_settings.curator", "Email")]


def _page(address: str, audiences: tuple[str, ...], action: str,
          portal: PortalHeader | None = None) -> str:
    rows = notices.settings_of(db(), address=address, audiences=audiences) if address else []
    return render_template("grading/notices/settings.html.jinja2", address=address, rows=rows,
                           action=action, portal=portal)


def _save(address: str, audiences: tuple[str, ...]) -> None:
    chosen = set(request.form.getlist("on"))
    session = db()
    for kind in notices.kinds_for(*audiences):
        notices.set_wanted(session, address=address, kind=kind.name, wanted=kind.name in chosen)
    session.commit()


@bp.route("/employer/mail-settings", methods=["GET", "POST"])
@authorised_by(Principal.COOKIE)
def employer() -> str | Response:
    member = require_member()
    if request.method == "POST":
        _save(member.email, ("employer",))
        return redirect(url("mail_settings.employer", saved=1), code=303)
    header = PortalHeader(f"{member.email} · {member.employer.name}", EMPLOYER_NAV,
                          "employers.sign_out")
    return _page(member.email, ("employer",), url("mail_settings.employer"), header)


@bp.route("/curation/mail-settings", methods=["GET", "POST"])
@authorised_by(Principal.COOKIE)
def curator() -> str | Response:
    actor = require_curator()
    if request.method == "POST":
        _save(actor.label, ("curator",))
        return redirect(url("mail_settings.curator", saved=1), code=303)
    header = PortalHeader(actor.label, CURATOR_NAV, "curation.sign_out")
    return _page(actor.label, ("curator",), url("mail_settings.curator"), header)


@bp.route("/work/mail-settings", methods=["GET", "POST"])
@authorised_by(Principal.LAUNCH)
def lms_person() -> str | Response:
    identity = require_launch()
    person = db().get(Person, identity.person_id)
    address = person.email if person is not None else ""
    audiences = ("instructor",) if identity.is_instructor else ("student",)
    if request.method == "POST" and address:
        _save(address, audiences)
        return redirect(url("mail_settings.lms_person", saved=1), code=303)
    return _page(address, audiences, url("mail_settings.lms_person"))
