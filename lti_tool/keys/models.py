"""The tool's own RSA keys: the newest active key signs, retired keys stay published a while."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from config.database import Base, CreatedMixin, UTCDateTime


class ToolKey(CreatedMixin, Base):
    __tablename__ = "tool_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    private_pem: Mapped[str] = mapped_column(Text)
    public_jwk: Mapped[str] = mapped_column(Text)
    # None while the key signs; set when a newer key replaces it.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Kept in the JWKS until then so platforms' cached copies still verify old signatures.
    publish_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
