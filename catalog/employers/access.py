"""Who is acting in the employer portal: the member the cookie session names."""

from __future__ import annotations

from flask import abort, redirect, request, url_for

from catalog.employers import service
from catalog.employers.models import EmployerMember
from catalog.portal import web
from config.web import db


def current_member() -> EmployerMember | None:
    member_id = web.signed_in(service.KIND)
    return None if member_id is None else service.get_member(db(), member_id)


def require_member() -> EmployerMember:
    member = current_member()
    if member is None:
        abort(redirect(url_for("employers.sign_in", next=request.path)))
    return member
