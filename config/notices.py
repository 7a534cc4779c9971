"""Notifications: mail that tells someone what to do next, which they may turn off per kind.

Every notice carries a reason line ("You get this because ..."), an absolute link or the way
to Microbridge, and a signed one-click unsubscribe link (also in the List-Unsubscribe header,
RFC 8058) that turns off that kind only. A setting belongs to the address, as a mail client's
unsubscribe does: the same person reached through two roles is asked once. Sign-in links and
invitations are not notices: they are asked for, and cannot be turned off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import String, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from config import runtime
from config.database import Base, CreatedMixin, utcnow
from config.mail import OutgoingEmail, send_email

SALT = "microbridge.unsubscribe.v1"


@dataclass(frozen=True)
class NoticeKind:
    name: str
    label: str
    """What the setting page calls it, e.g. "A daily digest of work awaiting your review"."""
    audience: str
    """employer, curator, instructor or student: whose settings page lists it."""


_KINDS = [
    NoticeKind("review_digest", "A daily digest of student work awaiting your review", "employer"),
    NoticeKind("curation_decision", "A curator's decision on one of your projects", "employer"),
    NoticeKind("students_assigned", "Students assigned to one of your projects", "employer"),
    NoticeKind("applications_waiting", "Applications awaiting your selection", "employer"),
    NoticeKind("curation_waiting", "A project awaiting curation for your institution", "curator"),
    NoticeKind("grade_to_approve", "An employer's review awaiting your approval", "instructor"),
    NoticeKind("review_overdue", "An employer's review that is overdue", "instructor"),
    NoticeKind("feedback_released", "Your feedback and grade, when they are released", "student"),
    NoticeKind("place_given", "Your place on a project, or on its waitlist", "student"),
    NoticeKind("application_declined", "An employer's answer when it did not take your application",
               "student"),
]
KINDS: dict[str, NoticeKind] = {kind.name: kind for kind in _KINDS}

SETTINGS_HINT = {
    "employer": "{base}/employer/mail-settings",
    "curator": "{base}/curation/mail-settings",
    "instructor": "Email settings, in Microbridge opened from your course",
    "student": "Email settings, in Microbridge opened from your course",
}


def absolute(path: str) -> str:
    """A link for mail: under the configured base URL, since mail leaves the request behind."""
    return runtime.current().settings.base_url + path


def kinds_for(*audiences: str) -> list[NoticeKind]:
    return [kind for kind in _KINDS if kind.audience in audiences]


class MailOptOut(CreatedMixin, Base):
    """One address that turned one kind of notice off."""

    __tablename__ = "mail_opt_out"
    __table_args__ = (UniqueConstraint("address", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(320))
    kind: Mapped[str] = mapped_column(String(40))


class NoticeOnce(CreatedMixin, Base):
    """A notice that went out (its key names it: the kind, whom, what, which day), so a
    periodic task run twice, or by two workers, sends it once."""

    __tablename__ = "notice_once"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)


def address_of(email: str) -> str:
    return email.strip().lower()


def wants(session: Session, *, address: str, kind: str) -> bool:
    return session.scalar(
        select(MailOptOut.id).where(MailOptOut.address == address_of(address),
                                    MailOptOut.kind == kind)
    ) is None


def set_wanted(session: Session, *, address: str, kind: str, wanted: bool) -> None:
    """Turn one kind on or off for an address; doing it twice changes nothing."""
    if kind not in KINDS:
        raise ValueError(f"unknown notice kind {kind!r}")
    found = session.scalar(
        select(MailOptOut).where(MailOptOut.address == address_of(address),
                                 MailOptOut.kind == kind)
    )
    if wanted and found is not None:
        session.delete(found)
    elif not wanted and found is None:
        try:
            with session.begin_nested():
                session.add(MailOptOut(address=address_of(address), kind=kind))
        except IntegrityError:  # a second click at the same moment: already off
            pass
    session.flush()


def settings_of(session: Session, *, address: str, audiences: tuple[str, ...]
                ) -> list[tuple[NoticeKind, bool]]:
    off = set(session.scalars(
        select(MailOptOut.kind).where(MailOptOut.address == address_of(address))
    ))
    return [(kind, kind.name not in off) for kind in kinds_for(*audiences)]


def unsubscribe_token(secret: str, *, address: str, kind: str) -> str:
    """A link that works without a sign-in, for this address and kind only. It does not
    expire: a mail client may offer it months later."""
    return URLSafeSerializer(secret, salt=SALT).dumps({"a": address_of(address), "k": kind})


def read_unsubscribe_token(secret: str, token: str) -> tuple[str, NoticeKind] | None:
    try:
        data = URLSafeSerializer(secret, salt=SALT).loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    address, kind = data.get("a"), data.get("k")
    if not isinstance(address, str) or not isinstance(kind, str) or kind not in KINDS:
        return None
    return address, KINDS[kind]


def once(session: Session, key: str, *, at: datetime | None = None) -> bool:
    """Claim a notice by its key (sent ``at``, default now); False when it already went out."""
    try:
        with session.begin_nested():
            session.add(NoticeOnce(key=key[:200], created_at=at or utcnow()))
    except IntegrityError:
        return False
    return True


def notify(
    session: Session, *, to: str, kind: str, subject: str, body: str, reason: str,
    institution_id: int | None,
) -> OutgoingEmail | None:
    """Queue a notice unless there is no address or its owner turned this kind off.

    ``body`` must already hold the absolute link (or, for LMS people, the way to it);
    ``reason`` completes "You get this because ..."."""
    address = address_of(to)
    notice = KINDS[kind]
    if "@" not in address or not wants(session, address=address, kind=kind):
        return None
    settings = runtime.current().settings
    base = settings.base_url
    link = f"{base}/mail/unsubscribe/{unsubscribe_token(settings.secret_key, address=address, kind=kind)}"
    footer = (
        f"\n\n-- \nYou get this because {reason}\n"
        f"Stop these emails ({notice.label[0].lower()}{notice.label[1:]}): {link}\n"
        f"All your email settings: {SETTINGS_HINT[notice.audience].format(base=base)}\n"
    )
    return send_email(session, to=address, subject=subject, body=body.rstrip() + footer,
                      kind=kind, institution_id=institution_id, unsubscribe_url=link)
