"""Passback fixtures: the emulated LMS of each flavour, the tool served live (the LMS's token
endpoint fetches our JWKS), and a placement with a graded link."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from config.settings import Settings
from grading.people.models import Person
from lti_tool.demo_lms.platform import Platform
from tests.support.live import LiveTool, live_tool
from tests.support.lms import Installed, install_tool, running_platform
from tests.work.factories import Placed, person_row, place


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # In-process tasks, so each test sees its deliveries at once (the real-worker tests in
    # test_workers.py build their own settings); short backoff for retries.
    return settings.with_overrides(tasks_eager=True, passback_backoff_seconds=1)


@dataclass
class Gradebook:
    lms: Platform
    live: LiveTool
    installed: Installed
    placed: Placed
    student: Person

    @property
    def item(self) -> str:
        return str(self.placed.link.line_item_id)


@pytest.fixture(params=["canvas", "moodle"])
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def world(app: object, db: Session, settings: Settings, flavour: str) -> Iterator[Gradebook]:
    with running_platform(flavour) as lms, live_tool(settings) as live:
        installed = install_tool(db, lms, tool_base=live.base_url)
        placed = place(db, installed)
        student = person_row(db, installed, installed.student)
        yield Gradebook(lms, live, installed, placed, student)
