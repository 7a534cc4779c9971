"""Who acts for the credit office: an LMS Administrator launched from the LMS, or a signed-in
credit officer. The launch comes first, as for curators (catalog/curation/access.py)."""

from __future__ import annotations

from flask import abort, redirect, request, url_for

from catalog.actors import Actor
from catalog.credit_office import service
from catalog.portal import web
from config.web import NotAllowed, launch_identity


def current_credit_officer() -> Actor | None:
    return web.institution_staff(service.KIND, service.get_account, service.actor_for)


def require_credit_officer() -> Actor:
    actor = current_credit_officer()
    if actor is not None:
        return actor
    if launch_identity() is not None:
        raise NotAllowed("Approving credit needs the LMS Administrator role, or a credit "
                         "officer account.", title="Credit officers only")
    abort(redirect(url_for("credit_office.sign_in", next=request.path)))
