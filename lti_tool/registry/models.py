"""Platforms (an LMS registration of this tool) and their deployments.

A platform is identified by (issuer, client_id), not by issuer alone: every Canvas cloud
institution shares the issuer https://canvas.instructure.com (LTI-NOTES pitfall 17).
"""

from __future__ import annotations

import enum

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from config.database import Base, CreatedMixin


class Flavour(enum.StrEnum):
    CANVAS = "canvas"
    MOODLE = "moodle"
    OTHER = "other"


class Platform(CreatedMixin, Base):
    __tablename__ = "lti_platform"
    __table_args__ = (
        UniqueConstraint("issuer", "client_id", name="uq__lti_platform__issuer_client"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(200), default="")
    auth_login_url: Mapped[str] = mapped_column(String(1000))
    token_url: Mapped[str] = mapped_column(String(1000))
    jwks_url: Mapped[str] = mapped_column(String(1000))
    flavour: Mapped[str] = mapped_column(String(20), default=Flavour.OTHER.value)
    # The OAuth2 audience for client assertions when it differs from the token URL.
    token_audience: Mapped[str] = mapped_column(String(1000), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Canvas reports deployment ids only at the first launch after an admin installs the
    # key, so a dynamically registered Canvas platform accepts new deployments it signs for.
    auto_register_deployments: Mapped[bool] = mapped_column(Boolean, default=False)
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institution.id"), index=True)

    deployments: Mapped[list[Deployment]] = relationship(
        back_populates="platform", cascade="all, delete-orphan", order_by="Deployment.id"
    )

    def label(self) -> str:
        return self.name or f"{self.issuer} ({self.client_id})"


class Deployment(CreatedMixin, Base):
    __tablename__ = "lti_deployment"
    __table_args__ = (
        UniqueConstraint("platform_id", "deployment_id", name="uq__lti_deployment__platform_dep"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))

    platform: Mapped[Platform] = relationship(back_populates="deployments")
