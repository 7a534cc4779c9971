"""Employer portal helpers for security tests: mail read back from the outbox table, links
followed the way a person clicks them, forms posted with the session's CSRF token."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from config.mail import OutgoingEmail
from tests.catalog.conftest import make_member, member, other_member, post, sign_in_as

__all__ = [
    "csrf_of",
    "follow_link",
    "fresh_client",
    "mail_to",
    "make_member",
    "member",
    "other_member",
    "post",
    "sign_in_as",
]


def mail_to(db: Session, address: str) -> list[OutgoingEmail]:
    db.expire_all()
    return list(db.scalars(select(OutgoingEmail).where(OutgoingEmail.to_address == address)
                           .order_by(OutgoingEmail.id)).all())


def follow_link(client: FlaskClient, message: OutgoingEmail) -> Any:
    """Open the emailed link and press its button, as the recipient does."""
    found = re.search(r"http://127\.0\.0\.1:5000(/employer/[\w/-]+)", message.body)
    assert found, message.body
    page = client.get(found.group(1))
    assert page.status_code == 200, page.text[:500]
    return client.post(found.group(1), data={"csrf_token": csrf_of(page.text)})


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html[:500]
    return unescape(found.group(1))


def fresh_client(client: FlaskClient) -> FlaskClient:
    """Another browser for the same app."""
    return client.application.test_client()
