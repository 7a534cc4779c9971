from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from config.settings import Settings
from tests.security.network import network
from tests.security.world import World, two_tenants
from tests.work.harness import School, school

__all__ = ["network"]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # In-process tasks even in the Redis pass: the world grades work while it is built.
    return settings.with_overrides(tasks_eager=True, passback_backoff_seconds=1)


@pytest.fixture
def tenants(app: Flask, db: Session, settings: Settings) -> Iterator[World]:
    with two_tenants(app, db, settings) as built:
        yield built


@pytest.fixture
def canvas_course(app: Flask, db: Session, settings: Settings) -> Iterator[School]:
    """One course in an emulated Canvas with a placement, for the CSRF, log and revocation tests."""
    with school(db, settings, "canvas") as built:
        yield built
