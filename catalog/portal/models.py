"""Single-use sign-in links for the portals (employers and curators sign in by email)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from config.database import Base, CreatedMixin, UTCDateTime


class MagicLink(CreatedMixin, Base):
    __tablename__ = "magic_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """SHA-256 of the token: a database leak does not leak working links."""
    account_kind: Mapped[str] = mapped_column(String(20))
    """``employer`` (EmployerMember) or ``curator`` (CuratorAccount)."""
    account_id: Mapped[int] = mapped_column(Integer, index=True)
    email: Mapped[str] = mapped_column(String(320))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
