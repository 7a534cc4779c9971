"""Who is curating: an LMS Administrator launched from the LMS, or a signed-in curator.

The launch comes first, as it does for the CSRF token of these pages (config/web.py).
"""

from __future__ import annotations

from flask import abort, redirect, request, url_for

from catalog.actors import Actor
from catalog.curation import service
from catalog.portal import web
from config.web import NotAllowed, launch_identity


def current_curator() -> Actor | None:
    """The curator acting: an LMS Administrator launch, or a signed-in curator account."""
    return web.institution_staff(service.KIND, service.get_account, service.actor_for)


def require_curator() -> Actor:
    actor = current_curator()
    if actor is not None:
        return actor
    if launch_identity() is not None:
        raise NotAllowed("Curating the catalog needs the LMS Administrator role, or a curator "
                         "account.", title="Curators only")
    abort(redirect(url_for("curation.sign_in", next=request.path)))
