"""A single project that requires an application, in Chromium inside the demo LMS: the
instructor turns it on in the placement's settings, then a student who launches sees the
application form instead of the work and applies. axe-core checks each page, at the LMS's
width and with the tool's frame 320 CSS pixels wide."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from config.settings import Settings
from grading.applications.models import Application
from tests.browser.journey import INSTRUCTOR, PROJECT, STUDENT, Lms, demo_lms, install, seed_catalog
from tests.browser.test_journeys import place_by_deep_linking
from tests.browser.test_pages_accessible import check_framed
from tests.support.live import LiveTool, live_tool

pytestmark = pytest.mark.browser


@pytest.fixture
def tool(settings: Settings, app: object) -> Iterator[LiveTool]:
    with live_tool(settings) as live:
        yield live


def test_a_single_project_takes_applications(
    tool: LiveTool, db: Session, chromium: Callable[..., Any]
) -> None:
    seed_catalog(db)
    with demo_lms("canvas") as platform:
        install(db, platform, tool)
        page = chromium(third_party_cookies=False).new_page()
        lms = Lms(page, platform, tool.base_url)
        lms.open("/")
        place_by_deep_linking(lms)

        lms.switch_user(INSTRUCTOR)
        lms.launch(PROJECT)
        lms.wait_heading(PROJECT)
        frame = lms.frame
        frame.get_by_role("link", name="Change settings").click()
        lms.wait_heading(re.compile("^Settings"))
        frame.get_by_label("Requires an application").check()
        frame.get_by_label("Applications close on (inclusive)").fill(date.today().isoformat())
        frame.get_by_label("The employer selects by (inclusive)").fill(
            (date.today() + timedelta(days=7)).isoformat())
        frame.get_by_label("Places for this course").fill("2")
        check_framed(lms, "instructor: placement settings with applications")
        frame.get_by_role("button", name="Save applications").click()
        frame.get_by_text("Applications saved").wait_for()
        check_framed(lms, "instructor: placement requiring applications")

        lms.switch_user(STUDENT)
        lms.launch(PROJECT)
        lms.wait_heading(PROJECT)
        frame.get_by_role("heading", name="Apply to this project").wait_for()
        assert frame.get_by_role("button", name="Start").count() == 0  # not the work
        check_framed(lms, "student: application form")
        frame.get_by_label("Which of the project's skills have you used, and how?").fill(
            "Ran a survey of 200 members for the student union.")
        frame.get_by_label("Why this project?").fill("I want to work on financial wellbeing.")
        frame.get_by_label("Hours a week you can give").fill("5")
        frame.get_by_role("button", name="Send my application").click()
        frame.get_by_text("Your application is sent.").wait_for()
        check_framed(lms, "student: application sent")
        db.expire_all()
        assert [a.hours_per_week for a in db.scalars(select(Application))] == [5.0]
