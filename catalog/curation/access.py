"""Who is curating: an LMS Administrator launched from the LMS, or a signed-in curator.

The launch comes first, as it does for the CSRF token of these pages (config/web.py).
"""

from __future__ import annotations

from flask import abort, redirect, request, url_for

from catalog.actors import Actor, ActorKind
from catalog.curation import service
from catalog.portal import web
from config.web import NotAllowed, db, launch_identity


def current_curator() -> Actor | None:
    """The curator acting: an LMS Administrator launch, or a signed-in curator account."""
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


def require_curator() -> Actor:
    actor = current_curator()
    if actor is not None:
        return actor
    if launch_identity() is not None:
        raise NotAllowed("Curating the catalog needs the LMS Administrator role, or a curator "
                         "account.", title="Curators only")
    abort(redirect(url_for("curation.sign_in", next=request.path)))
