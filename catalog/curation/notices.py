"""Tell an institution's curators that a project awaits them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.curation.models import CuratorAccount
from catalog.institutions.models import Institution
from config import notices


def tell_curators(session: Session, *, institutions: list[Institution], project_id: int,
                  title: str, employer_name: str) -> int:
    """One notice per curator account of each institution the project was offered to."""
    sent = 0
    for institution in institutions:
        curators = session.scalars(
            select(CuratorAccount).where(CuratorAccount.institution_id == institution.id)
            .order_by(CuratorAccount.id)
        ).all()
        for curator in curators:
            sent += notices.notify(
                session, to=curator.email, kind="curation_waiting",
                institution_id=institution.id,
                subject=f"A project awaits curation: “{title}”",
                body=(
                    f"{employer_name} offers “{title}” to {institution.name}. Approve it, ask "
                    "for changes or decline it:\n"
                    f"{notices.absolute(f'/curation/projects/{project_id}')}\n"
                ),
                reason=f"you curate {institution.name}'s catalog on Microbridge.",
            ) is not None
    return sent
