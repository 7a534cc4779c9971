"""Helpers for the CSRF, log and revocation tests: principals signed in the way people sign
in, the CSRF token a page shows, and a fingerprint of every row in the database (to prove a
refused request wrote nothing)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from html import unescape

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.models_index import metadata

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]*)"')


def page_token(client: FlaskClient, path: str, **query: str) -> str:
    """The CSRF token a page's forms carry, as the browser would read it."""
    page = client.get(path, query_string=query)
    assert page.status_code == 200, (path, page.status_code, page.get_data(as_text=True)[:300])
    found = CSRF_FIELD.search(page.get_data(as_text=True))
    assert found, f"{path} shows no form with a CSRF token"
    return unescape(found.group(1))


def fingerprint(db: Session) -> dict[str, str]:
    """A digest of every table's rows: equal before and after means nothing was written."""
    db.expire_all()
    digest: dict[str, str] = {}
    with db.bind.connect() as conn:  # type: ignore[union-attr]
        for table in metadata.sorted_tables:
            rows = sorted(repr(tuple(row)) for row in conn.execute(select(table)))
            digest[table.name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return digest


@dataclass
class PortalLogin:
    """A top-level browser signed in to a portal through its emailed link."""

    client: FlaskClient
    kind: str
    account_id: int


PORTAL_PATHS = {"employer": "/employer/sign-in", "curator": "/curator/sign-in",
                "credit_officer": "/credit-office/sign-in"}
HOME = {"employer": "/employer/team", "curator": "/curation/curators",
        "credit_officer": "/credit-office/"}


def newest_link(db: Session, prefix: str) -> str:
    from config.mail import OutgoingEmail

    db.expire_all()
    mail = db.scalars(select(OutgoingEmail).order_by(OutgoingEmail.id.desc())).first()
    assert mail is not None
    found = re.search(r"https?://[^/\s]+(" + re.escape(prefix) + r"/[\w-]+)", mail.body)
    assert found, mail.body
    return found.group(1)


def sign_in_by_link(app: Flask, db: Session, kind: str, email: str) -> PortalLogin:
    """Ask for a link, open it, press the button: the whole flow a person goes through."""
    client = app.test_client()
    path = PORTAL_PATHS[kind]
    asked = client.post(path, data={"email": email, "csrf_token": page_token(client, path)})
    assert asked.status_code == 302, asked.get_data(as_text=True)[:500]
    link = newest_link(db, path)
    signed = client.post(link, data={"csrf_token": page_token(client, link)})
    assert signed.status_code == 302, signed.get_data(as_text=True)[:500]
    assert client.get(HOME[kind]).status_code == 200
    return PortalLogin(client, kind, 0)


def operator_login(app: Flask) -> FlaskClient:
    from lti_tool.registry.admin import operator_link_token

    client = app.test_client()
    token = operator_link_token(app.config["SECRET_KEY"])
    assert client.get("/admin/sign-in", query_string={"token": token}).status_code == 303
    assert client.get("/admin/platforms").status_code == 200
    return client
