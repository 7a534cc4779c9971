"""The public page that checks a downloaded evidence packet's signature (paste its JSON).

A POST from an anonymous visitor: its CSRF token is bound to the visitor's cookie session."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from config import runtime
from config.ratelimit import Group, limit
from config.web import Principal, UserFacingError, db, protect
from grading.credentials import service

bp = protect(limit(Blueprint("packet_verify", __name__), default=Group.PAGES), by=Principal.COOKIE)

PACKET_LIMIT = 500_000


@bp.get("/credentials/packets/verify")
def form() -> str:
    return render_template("grading/credentials/packet_verify.html.jinja2", check=None, text="")


@bp.post("/credentials/packets/verify")
def check() -> str:
    text = request.form.get("packet", "")
    if len(text) > PACKET_LIMIT:
        raise UserFacingError("That is larger than any evidence packet.", title="Too large",
                              status=413)
    if not text.strip():
        raise UserFacingError("Paste the packet's JSON (the .json file you downloaded).",
                              title="Nothing to check")
    found = service.verify_packet(db(), text, base_url=runtime.current().settings.base_url)
    return render_template("grading/credentials/packet_verify.html.jinja2", check=found, text=text)
