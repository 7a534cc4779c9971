"""Issuing and redeeming sign-in links: single use, short-lived, rate-limited per address."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from catalog.portal.models import MagicLink
from config.database import utcnow
from config.mail import OutgoingEmail, send_email
from config.store import KeyValueStore
from config.web import UserFacingError

LinkBuilder = Callable[[str], str]
"""Turns a token into the absolute URL a person clicks."""

_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+$")


@dataclass(frozen=True)
class LinkPolicy:
    minutes: int = 15
    per_hour: int = 5


class TooManyLinks(UserFacingError):
    status = 429

    def __init__(self, *, from_client: bool = False) -> None:
        super().__init__(
            "Too many sign-in links were asked from this network in the last hour."
            if from_client else
            "Too many sign-in links were asked for this address in the last hour.",
            title="Please wait before asking again",
            hint="Use the newest link you already received, or try again in an hour.",
        )


class LinkNotUsable(UserFacingError):
    status = 400


def normalise_email(raw: str) -> str:
    return raw.strip().lower()


def single_line(raw: str, limit: int) -> str:
    """A name as people type it, made safe to show anywhere: control characters (CR, LF, tab,
    bidi overrides) become spaces and runs of spaces one space."""
    cleaned = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in raw)
    return " ".join(cleaned.split())[:limit]


def check_client_rate(store: KeyValueStore, *, client_ip: str, per_hour: int) -> None:
    """Count one mail-sending request from this client, whoever it names."""
    count = store.incr(f"portal-mail-ip:{hash_token(client_ip or '-')}", 3600)
    if count > per_hour:
        raise TooManyLinks(from_client=True)


def email_problem(raw: str) -> str:
    """A message for the form if this is not a usable email address, else ''."""
    value = raw.strip()
    if not value:
        return "Enter an email address."
    if len(value) > 320 or not _EMAIL.match(value):
        return "Enter an email address like name@example.org."
    return ""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_rate(store: KeyValueStore, *, kind: str, email: str, policy: LinkPolicy) -> None:
    """Count one request for this address, known or not (so the limit reveals nothing)."""
    count = store.incr(f"magic-link:{kind}:{hash_token(normalise_email(email))}", 3600)
    if count > policy.per_hour:
        raise TooManyLinks()


def issue_link(
    session: Session, *, kind: str, account_id: int, email: str, policy: LinkPolicy,
    link_for: LinkBuilder, subject: str, intro: str, institution_id: int | None = None,
) -> tuple[MagicLink, OutgoingEmail]:
    """Create a link and queue the email that carries it."""
    token = secrets.token_urlsafe(32)
    link = MagicLink(
        token_hash=hash_token(token), account_kind=kind, account_id=account_id,
        email=normalise_email(email), expires_at=utcnow() + timedelta(minutes=policy.minutes),
    )
    session.add(link)
    session.flush()
    body = (
        f"{intro}\n\n"
        f"Sign in to Microbridge with this link:\n{link_for(token)}\n\n"
        f"The link works once and for {policy.minutes} minutes. If you did not ask for it, "
        "you can ignore this message: nobody can sign in without the link.\n\n"
        "-- \nYou get this because someone asked Microbridge for a link for this address. "
        "It is not a mailing: nothing more comes unless a link is asked for again."
    )
    message = send_email(session, to=link.email, subject=subject, body=body,
                         institution_id=institution_id)
    return link, message


def peek(session: Session, *, kind: str, token: str) -> MagicLink:
    """The link behind a token, if it can still be used; else a message saying why not."""
    link = session.scalar(
        select(MagicLink).where(
            MagicLink.token_hash == hash_token(token), MagicLink.account_kind == kind
        )
    )
    _refuse_unusable(link)
    assert link is not None
    return link


def redeem(session: Session, *, kind: str, token: str) -> int:
    """Use a link exactly once; return the account id it signs in."""
    now = utcnow()
    result = session.execute(
        update(MagicLink)
        .where(
            MagicLink.token_hash == hash_token(token),
            MagicLink.account_kind == kind,
            MagicLink.used_at.is_(None),
            MagicLink.expires_at > now,
        )
        .values(used_at=now)
        .returning(MagicLink.account_id)
        .execution_options(synchronize_session=False)
    ).first()
    if result is None:
        link = session.scalar(select(MagicLink).where(MagicLink.token_hash == hash_token(token)))
        _refuse_unusable(link if link is not None and link.account_kind == kind else None)
        raise LinkNotUsable("This sign-in link cannot be used.")  # pragma: no cover
    return int(result[0])


def _refuse_unusable(link: MagicLink | None) -> None:
    hint = "Ask for a new link on the sign-in page."
    if link is None:
        raise LinkNotUsable("This sign-in link is not valid.", title="Link not valid", hint=hint)
    if link.used_at is not None:
        raise LinkNotUsable(
            "This sign-in link has already been used. Each link works once.",
            title="Link already used", hint=hint,
        )
    if link.expires_at <= utcnow():
        raise LinkNotUsable(
            "This sign-in link has expired.", title="Link expired", hint=hint,
        )
