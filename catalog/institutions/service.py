"""Finding and creating institutions."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.institutions.models import Institution


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:80] or "institution"


def get_or_create(session: Session, *, name: str, slug: str | None = None) -> Institution:
    wanted = slug or slugify(name)
    found = session.scalar(select(Institution).where(Institution.slug == wanted))
    if found is not None:
        return found
    institution = Institution(name=name, slug=wanted)
    session.add(institution)
    session.flush()
    return institution
