"""A student ranks a choice of projects and the instructor publishes the assignment, in
Chromium, with the tool framed 320 CSS pixels wide by the demo LMS; axe-core checks every
page. The choice is the one `microbridge demo` seeds ("Choose your project")."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from catalog.institutions.service import get_or_create
from config.settings import Settings
from lti_tool.demo import CHOICE_TITLE, seed_choice_set
from lti_tool.registry import service as registry
from tests.browser.journey import INSTITUTION, INSTRUCTOR, STUDENT, Lms, demo_lms, install, seed_catalog
from tests.support.live import LiveTool, live_tool

pytestmark = pytest.mark.browser


@pytest.fixture
def tool(settings: Settings, app: object) -> Iterator[LiveTool]:
    with live_tool(settings) as live:
        yield live


def test_a_student_ranks_and_the_instructor_publishes(
    tool: LiveTool, db: Session, chromium: Callable[..., Any]
) -> None:
    seed_catalog(db)
    with demo_lms("canvas") as platform:
        install(db, platform, tool)
        registration = next(iter(platform.state.tools.values()))
        row = registry.find_platform(db, issuer=platform.issuer, client_id=registration.client_id)
        assert row is not None
        seed_choice_set(db, platform, registration, row.id, get_or_create(db, name=INSTITUTION).id)
        db.commit()

        lms = Lms(chromium(third_party_cookies=False).new_page(), platform, tool.base_url, narrow=True)
        lms.open("/")
        frame = lms.frame

        # The student fills in a profile, sees the projects ranked for it, reads a brief, ranks.
        lms.switch_user(STUDENT)
        lms.launch(CHOICE_TITLE)
        lms.wait_heading(CHOICE_TITLE)
        lms.check("student: choices")
        frame.get_by_role("link", name="Fill in your profile").click()
        lms.wait_heading("Your profile")
        lms.check("student: profile")
        frame.get_by_label("Skill 1", exact=True).fill("Excel")
        frame.get_by_label("How well you know skill 1").select_option("3")
        frame.get_by_label("Hours a week you have for projects").fill("10")
        frame.get_by_role("button", name="Save my profile").click()
        frame.get_by_text("Your profile is saved: the projects are ranked for it below.").wait_for()
        lms.check("student: choices for my profile")
        frame.get_by_role("link", name=re.compile("^Read the brief")).first.click()
        lms.wait_heading(re.compile(".+"))
        lms.check("student: a brief")
        frame.get_by_role("link", name="Back to the choices").click()
        lms.wait_heading(CHOICE_TITLE)
        ranks = frame.locator("select[name^='rank-']")
        ranks.nth(0).select_option("1")
        ranks.nth(1).select_option("2")
        frame.get_by_role("button", name="Save my ranking").click()
        frame.get_by_text("Your ranking is saved.").wait_for()
        lms.check("student: ranked")
        first_choice = frame.locator("h3").nth(0).inner_text()

        # The instructor previews the assignment with its reasons, then publishes it.
        lms.switch_user(INSTRUCTOR)
        lms.launch(CHOICE_TITLE)
        lms.wait_heading(CHOICE_TITLE)
        lms.check("instructor: choice")
        frame.get_by_role("button", name="Preview the assignment").click()
        frame.get_by_text("Assignment previewed.").wait_for()
        frame.get_by_text(f"{first_choice} was your first choice.").wait_for()
        lms.check("instructor: preview")
        frame.get_by_role("button", name="Publish the assignment").click()
        frame.get_by_text(re.compile("^Published: 1 student")).wait_for()
        lms.check("instructor: published")

        # The student sees the project they got, and why.
        lms.switch_user(STUDENT)
        lms.launch(CHOICE_TITLE)
        frame.get_by_text(f"You were assigned {first_choice}.").wait_for()
        lms.check("student: assigned")
        frame.get_by_role("link", name="Open your project").click()
        lms.wait_heading(first_choice)
        lms.check("student: assigned project")
