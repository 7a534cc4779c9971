from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from config.settings import Settings
from tests.work.harness import School, school


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # In-process tasks (even in the Redis pass) and small upload limits for fast tests.
    return settings.with_overrides(tasks_eager=True, upload_max_file_mb=1, upload_max_submission_mb=2,
                                   passback_backoff_seconds=1)


@pytest.fixture(params=["canvas", "moodle"])
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def course(app: Flask, db: Session, settings: Settings, flavour: str) -> Iterator[School]:
    with school(db, settings, flavour) as built:
        yield built


@pytest.fixture
def canvas_course(app: Flask, db: Session, settings: Settings) -> Iterator[School]:
    with school(db, settings, "canvas") as built:
        yield built
