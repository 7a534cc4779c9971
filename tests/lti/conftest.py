from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from lti_tool.demo_lms.platform import Platform
from tests.support.lms import Installed, LaunchDriver, install_tool, running_platform


@pytest.fixture(params=["canvas", "moodle"])
def lms(request: pytest.FixtureRequest) -> Iterator[Platform]:
    with running_platform(request.param) as platform:
        yield platform


@pytest.fixture
def canvas() -> Iterator[Platform]:
    with running_platform("canvas") as platform:
        yield platform


@pytest.fixture
def moodle() -> Iterator[Platform]:
    with running_platform("moodle") as platform:
        yield platform


@pytest.fixture
def installed(db: Session, lms: Platform) -> Installed:
    return install_tool(db, lms)


@pytest.fixture
def driver(client: FlaskClient, lms: Platform) -> LaunchDriver:
    return LaunchDriver(client, lms)
