"""The demo LMS in Chromium: its pages pass axe (the Moodle-like header's contrast included), no
empty tool box before a launch, and the tool's frame fits its page through lti.frameResize,
sent by the tool's pages and honoured only from the tool's frame."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from config.settings import Settings
from tests.browser.a11y import assert_accessible
from tests.browser.journey import ADMIN, INSTRUCTOR, Lms, demo_lms, install, seed_catalog
from tests.support.live import LiveTool, live_tool

pytestmark = pytest.mark.browser


@pytest.fixture
def tool(settings: Settings, app: object) -> Iterator[LiveTool]:
    with live_tool(settings) as live:
        yield live


def _frame_height(lms: Lms) -> float:
    box = lms.page.locator("iframe[name=tool]").bounding_box()
    assert box is not None
    return float(box["height"])


@pytest.mark.parametrize("flavour", ["canvas", "moodle"])
def test_demo_lms_pages_pass_axe_and_fit_the_tool(
    flavour: str, tool: LiveTool, db: Session, chromium: Callable[..., Any]
) -> None:
    seed_catalog(db)
    with demo_lms(flavour) as platform:
        page = chromium(third_party_cookies=False).new_page()
        lms = Lms(page, platform, tool.base_url)

        # Before a tool is registered: the course page says so, and no empty tool box shows.
        lms.open("/")
        page.get_by_text("Register Microbridge first").wait_for()
        assert page.locator("#tool-section").is_hidden()
        assert_accessible(page, f"{flavour} course, nothing registered")
        lms.open("/admin")
        page.get_by_role("heading", name="Only administrators open this page").wait_for()
        assert_accessible(page, f"{flavour} admin, refused")
        page.get_by_role("button", name=f"Switch to {ADMIN} (administrator)").click()
        page.get_by_role("heading", name="Admin: LTI tools").wait_for()
        assert_accessible(page, f"{flavour} admin")
        lms.open("/gradebook")
        assert_accessible(page, f"{flavour} gradebook")

        install(db, platform, tool)
        lms.switch_user(INSTRUCTOR)
        lms.open("/")
        assert page.locator("#tool-section").is_hidden()
        assert_accessible(page, f"{flavour} course")
        unfitted = page.evaluate("() => window.innerHeight * 0.7")  # the box's height unfitted
        page.get_by_role("button", name="Add Microbridge activity").click()
        lms.wait_heading(re.compile("^Choose a project"))

        # The frame takes the catalog's height (taller than the 70vh box it starts as).
        page.wait_for_function(
            """() => document.querySelector('iframe[name=tool]').classList.contains('fitted')""")
        content = lms.tool_frame().evaluate(
            "() => Math.ceil(document.documentElement.getBoundingClientRect().height)")
        assert abs(_frame_height(lms) - content) <= 2 and abs(_frame_height(lms) - unfitted) > 2
        fitted = _frame_height(lms)

        # A resize message from anything but the tool's frame changes nothing.
        page.evaluate("() => window.postMessage({subject: 'lti.frameResize', height: 7777}, '*')")
        page.wait_for_timeout(200)
        assert _frame_height(lms) == fitted
