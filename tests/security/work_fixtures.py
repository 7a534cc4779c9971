"""A course with a placed project in the emulated LMS, for security tests of the work pages
(import the fixtures you use into the test module)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from config.settings import Settings
from tests.work.harness import School, school


@pytest.fixture
def canvas_course(app: Flask, db: Session, settings: Settings) -> Iterator[School]:
    with school(db, settings.with_overrides(tasks_eager=True), "canvas") as built:
        yield built
