"""Portal plumbing for views: the signed-in account, sign-in links, simple forms.

The portals are top-level pages, so the cookie session (config/cookie_session.py) carries
who is signed in, and their forms carry a CSRF token bound to it (config/web.py).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from flask import request, session, url_for
from sqlalchemy.orm import Session

from catalog.actors import Actor, ActorKind
from catalog.portal.service import LinkPolicy, hash_token
from config import cookie_session, runtime
from config.settings import Settings
from config.web import NotAllowed, db, launch_identity

A = TypeVar("A")


def settings() -> Settings:
    return runtime.current().settings


def link_policy() -> LinkPolicy:
    s = settings()
    return LinkPolicy(minutes=s.magic_link_minutes, per_hour=s.magic_link_per_hour)


def link_builder(endpoint: str) -> Callable[[str], str]:
    """Absolute links under the configured base URL (emails leave the request behind)."""
    base = settings().base_url

    def build(token: str) -> str:
        return base + url_for(endpoint, token=token)

    return build


def sign_in(kind: str, account_id: int) -> None:
    cookie_session.sign_in(kind, account_id)


def sign_out() -> None:
    cookie_session.sign_out()


def signed_in(kind: str) -> int | None:
    """The account id signed in as ``kind``, if the sign-in is recent and not revoked."""
    return cookie_session.signed_in(kind)


def link_opened_here(token: str) -> None:
    """Remember that this browser opened a sign-in link (the page with the button)."""
    session["opened_link"] = hash_token(token)


def require_link_opened_here(token: str) -> None:
    """A sign-in link signs in only the browser that opened it: a page elsewhere cannot post
    someone else's link into this browser (login CSRF)."""
    opened = session.get("opened_link")
    if not isinstance(opened, str) or not hmac.compare_digest(opened, hash_token(token)):
        raise NotAllowed(
            "This sign-in was not started from this browser.",
            title="Open the link again",
            hint="Open the sign-in link from your email in this browser and press the button.",
        )
    session.pop("opened_link", None)


@dataclass
class FormState:
    """What a simple form shows again: the values sent and a message per field."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, *names: str) -> FormState:
        return cls(values={name: request.form.get(name, "").strip() for name in names})

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    @property
    def ok(self) -> bool:
        return not self.errors


def safe_next(target: str | None, default: str) -> str:
    """Only same-site paths: a sign-in must not redirect anyone elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def institution_staff(kind: str, get_account: Callable[[Session, int], A | None],
                      actor_for: Callable[[A], Actor]) -> Actor | None:
    """Who acts for an institution's office (curation, credit): an LMS Administrator launched
    from the LMS first, else the signed-in account of that office's ``kind``."""
    identity = launch_identity()
    if identity is not None:
        if identity.is_admin and identity.institution_id is not None:
            return Actor(kind=ActorKind.LTI_ADMIN, id=identity.person_id,
                         label=f"LMS administrator (person {identity.person_id})",
                         institution_id=identity.institution_id)
        return None
    account_id = signed_in(kind)
    account = None if account_id is None else get_account(db(), account_id)
    return None if account is None else actor_for(account)
