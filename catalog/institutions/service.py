"""Finding and creating institutions."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.institutions.models import Institution


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:80] or "institution"


def create_new(session: Session, *, name: str) -> Institution:
    """A new institution, even when one of that name exists (its slug gets a number)."""
    base = slugify(name)[:72]
    taken = set(session.scalars(select(Institution.slug).where(Institution.slug.startswith(base))))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    institution = Institution(name=name if number == 1 else f"{name} ({number})", slug=slug)
    session.add(institution)
    session.flush()
    return institution


def get_or_create(session: Session, *, name: str, slug: str | None = None) -> Institution:
    wanted = slug or slugify(name)
    found = session.scalar(select(Institution).where(Institution.slug == wanted))
    if found is not None:
        return found
    institution = Institution(name=name, slug=wanted)
    session.add(institution)
    session.flush()
    return institution
