from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from config.settings import Settings
from lti_tool.demo_lms.platform import Platform
from tests.placements.helpers import Setup, live_setup
from tests.support.lms import running_platform


@pytest.fixture(params=["canvas", "moodle"])
def lms(request: pytest.FixtureRequest) -> Iterator[Platform]:
    with running_platform(request.param) as platform:
        yield platform


@pytest.fixture
def setup(db: Session, lms: Platform, settings: Settings) -> Iterator[Setup]:
    with live_setup(db, lms, settings) as ready:
        yield ready
