"""Who acts for the credit office: an LMS Administrator launched from the LMS, or a signed-in
credit officer. The launch comes first, as for curators (catalog/curation/access.py)."""

from __future__ import annotations

from flask import abort, redirect, request, url_for

from catalog.actors import Actor, ActorKind
from catalog.credit_office import service
from catalog.portal import web
from config.web import NotAllowed, db, launch_identity


def current_credit_officer() -> Actor | None:
    identity = launch_identity()
    if identity is not None:
        if identity.is_admin and identity.institution_id is not None:
            return Actor(kind=ActorKind.LTI_ADMIN, id=identity.person_id,
                         label=f"LMS administrator (person {identity.person_id})",
                         institution_id=identity.institution_id)
        return None
    account_id = web.signed_in(service.KIND)
    account = None if account_id is None else service.get_account(db(), account_id)
    return None if account is None else service.actor_for(account)


def require_credit_officer() -> Actor:
    actor = current_credit_officer()
    if actor is not None:
        return actor
    if launch_identity() is not None:
        raise NotAllowed("Approving credit needs the LMS Administrator role, or a credit "
                         "officer account.", title="Credit officers only")
    abort(redirect(url_for("credit_office.sign_in", next=request.path)))
