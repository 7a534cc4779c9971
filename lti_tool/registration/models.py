"""Single-use links that let an LMS administrator register the tool dynamically.

An open registration endpoint would let anyone on the internet create a tenant.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from config.database import Base, CreatedMixin, UTCDateTime


class RegistrationLink(CreatedMixin, Base):
    __tablename__ = "registration_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Only a hash of the secret is kept: the link itself is shown once.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institution.id"))
    platform_id: Mapped[int | None] = mapped_column(
        ForeignKey("lti_platform.id", ondelete="SET NULL")
    )
