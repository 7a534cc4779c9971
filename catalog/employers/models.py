"""Employer organisations and the people who work for them in the employer portal."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from config.database import Base, CreatedMixin, UTCDateTime


class EmployerOrg(CreatedMixin, Base):
    __tablename__ = "employer_org"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    website: Mapped[str] = mapped_column(String(300), default="")
    about: Mapped[str] = mapped_column(Text, default="")
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verification_note: Mapped[str] = mapped_column(String(300), default="")
    """Why the organisation counts as verified, e.g. its email domain matches its website."""

    members: Mapped[list[EmployerMember]] = relationship(
        back_populates="employer", order_by="EmployerMember.id", foreign_keys="EmployerMember.employer_id"
    )

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class MemberRole(enum.StrEnum):
    OWNER = "owner"
    """Created the organisation (or took over from the last owner); removes members."""
    MEMBER = "member"


class EmployerMember(CreatedMixin, Base):
    __tablename__ = "employer_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(
        ForeignKey("employer_org.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("employer_member.id", ondelete="SET NULL")
    )
    invitation_email_id: Mapped[int | None] = mapped_column(
        ForeignKey("outgoing_email.id", ondelete="SET NULL")
    )
    """The invitation message, so the team page can show whether it was delivered."""
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """First sign-in; None while an invitation is unanswered."""
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    role: Mapped[str] = mapped_column(String(10), default=MemberRole.MEMBER.value,
                                      server_default=MemberRole.MEMBER.value)

    employer: Mapped[EmployerOrg] = relationship(back_populates="members", foreign_keys=[employer_id])

    def display_name(self) -> str:
        return self.name or self.email

    @property
    def is_owner(self) -> bool:
        return self.role == MemberRole.OWNER.value


class EmployerInvitation(CreatedMixin, Base):
    """An offer to join an organisation; it binds nobody until the invitee proves the address
    (by a sign-in link) and accepts it."""

    __tablename__ = "employer_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(
        ForeignKey("employer_org.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("employer_member.id", ondelete="SET NULL")
    )
    invitation_email_id: Mapped[int | None] = mapped_column(
        ForeignKey("outgoing_email.id", ondelete="SET NULL")
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    employer: Mapped[EmployerOrg] = relationship()


class EmployerVerification(CreatedMixin, Base):
    """One institution's curators checked this employer. It counts for that institution only:
    another institution's curators decide for themselves."""

    __tablename__ = "employer_verification"
    __table_args__ = (UniqueConstraint("institution_id", "employer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id", ondelete="CASCADE"))
    employer_id: Mapped[int] = mapped_column(
        ForeignKey("employer_org.id", ondelete="CASCADE"), index=True
    )
    note: Mapped[str] = mapped_column(String(300), default="")
    """How the curator checked, and who they are."""
