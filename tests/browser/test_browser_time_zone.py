"""Without a zone from the LMS, Chromium's zone (Europe/Berlin here) is the one due dates are
typed and read in: timezone.js names it beside the field, sends it with the form, and shows
UTC times in it. The tool stores UTC."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from config.settings import Settings
from grading.placements.models import Placement
from tests.browser.journey import INSTRUCTOR, PROJECT, Lms, demo_lms, install, seed_catalog
from tests.support.live import LiveTool, live_tool

pytestmark = pytest.mark.browser


@pytest.fixture
def tool(settings: Settings, app: object) -> Iterator[LiveTool]:
    with live_tool(settings) as live:
        yield live


def test_the_browsers_zone_types_and_shows_the_due_date(
    tool: LiveTool, db: Session, chromium: Callable[..., Any]
) -> None:
    seed_catalog(db)
    with demo_lms("moodle") as platform:
        install(db, platform, tool)  # registered without $Person.address.timezone
        # The whole browser's zone: the tool's frame runs in a process of its own.
        page = chromium(third_party_cookies=False, timezone_id="Europe/Berlin").new_page()
        lms = Lms(page, platform, tool.base_url)
        lms.open("/")
        lms.switch_user(INSTRUCTOR)
        page.get_by_role("button", name="Add Microbridge activity").click()
        lms.wait_heading(re.compile("^Choose a project"))
        lms.frame.get_by_label(PROJECT, exact=True).check()
        lms.frame.get_by_role("button", name="Continue").click()
        lms.wait_heading("Set up the project")

        due = lms.frame.get_by_label(re.compile("^Due date and time, Europe/Berlin time"))
        due.fill("2026-12-06T14:00")
        lms.frame.get_by_role("button", name="Continue").click()
        lms.wait_heading("Ready to add 1 project")
        assert "due 6 Dec 2026, 14:00 (Europe/Berlin)" in lms.frame.locator("main").inner_text()
        lms.frame.get_by_role("button", name="Add to the course").click()
        page.get_by_role("button", name=PROJECT, exact=True).wait_for()

        placement = db.scalar(select(Placement))
        assert placement is not None
        assert placement.due_at == datetime(2026, 12, 6, 13, 0, tzinfo=UTC)
        lms.launch(PROJECT)
        lms.frame.get_by_text("6 Dec 2026, 14:00 (Europe/Berlin)").first.wait_for()
