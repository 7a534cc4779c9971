"""Launches in a cross-site iframe of the demo LMS, in real Chromium, with and without
third-party cookies. The tool is on 127.0.0.1, the LMS on localhost: two sites."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from config.settings import Settings
from lti_tool.demo_lms.app import create_platform_app
from lti_tool.demo_lms.platform import Platform
from lti_tool.demo_lms.server import serve_in_thread
from tests.browser.a11y import assert_accessible
from tests.browser.journey import wait_for_page_address
from tests.support.live import LiveTool, free_port, live_tool
from tests.support.lms import install_tool

pytestmark = pytest.mark.browser


@pytest.fixture
def tool(settings: Settings, app: object) -> Iterator[LiveTool]:
    with live_tool(settings) as live:
        yield live


def _lms(flavour: str) -> tuple[Platform, Any]:
    port = free_port()
    platform = Platform(flavour, base_url=f"http://localhost:{port}")
    server = serve_in_thread(create_platform_app(platform), "127.0.0.1", port)
    return platform, server


@pytest.mark.parametrize("flavour", ["canvas", "moodle"])
@pytest.mark.parametrize("third_party_cookies", [False, True], ids=["cookies-blocked", "cookies-allowed"])
def test_a_student_launch_opens_inside_the_lms_iframe(
    flavour: str, third_party_cookies: bool, tool: LiveTool, db: Session,
    chromium: Callable[..., Any],
) -> None:
    platform, server = _lms(flavour)
    try:
        installed = install_tool(db, platform, tool_base=tool.base_url)
        platform.add_resource_link(installed.course, installed.tool, title="Market sizing brief")
        browser = chromium(third_party_cookies=third_party_cookies)
        page = browser.new_page()
        page.goto(platform.base_url + "/")
        page.select_option("#user", installed.student.user_id)
        page.get_by_role("button", name="Switch").click()
        page.get_by_role("button", name="Market sizing brief").click()

        frame = page.frame_locator("iframe[name=tool]")
        frame.get_by_role("heading", name="Your project in Market Research Practicum").wait_for()
        assert "Ada Lovelace" in frame.locator("main").inner_text()
        # The launch answered with the page; the frame's address is the page's own, which
        # carries the session without any third-party cookie.
        tool_frame = next(f for f in page.frames if f.url.startswith(tool.base_url))
        assert "/course/project?lt=" in wait_for_page_address(tool_frame)
        # Reloading the frame asks for the page again (a GET), not the used launch again.
        methods: list[str] = []
        page.on("request", lambda request: methods.append(f"{request.method} {request.url}"))
        tool_frame.evaluate("location.reload()")
        frame.get_by_role("heading", name="Your project in Market Research Practicum").wait_for()
        assert "Ada Lovelace" in frame.locator("main").inner_text()
        assert f"GET {tool_frame.url}" in methods and not any("/lti/launch" in m for m in methods)
    finally:
        server.shutdown()


def _forget_cookies_before_auth(page: Any, platform: Platform, tool: LiveTool) -> list[str]:
    """Play a browser that keeps no cookie at all in the iframe (Safari without CHIPS): every
    cookie is gone by the time the LMS posts the launch back. Returns the URLs requested."""
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    def clear_then_continue(route: Any) -> None:
        page.context.clear_cookies()
        route.continue_()

    # The auth request (and, since Playwright does not route redirects, the launch post too).
    page.route(lambda url: url.startswith(platform.auth_url), clear_then_continue)
    page.route(lambda url: url == tool.base_url + "/lti/launch", clear_then_continue)
    return requested


def test_canvas_platform_storage_carries_a_launch_when_no_cookie_is_kept(
    tool: LiveTool, db: Session, chromium: Callable[..., Any]
) -> None:
    platform, server = _lms("canvas")
    try:
        installed = install_tool(db, platform, tool_base=tool.base_url)
        platform.add_resource_link(installed.course, installed.tool, title="Survey design")
        page = chromium(third_party_cookies=False).new_page()
        requested = _forget_cookies_before_auth(page, platform, tool)
        page.goto(platform.base_url + "/")
        page.get_by_role("button", name="Survey design").click()

        frame = page.frame_locator("iframe[name=tool]")
        frame.get_by_role("heading", name="Market Research Practicum").wait_for()
        # The launch was confirmed by reading the state back from the LMS's storage frame.
        assert tool.base_url + "/lti/launch/confirm" in requested
    finally:
        server.shutdown()


def test_without_cookies_or_platform_storage_moodle_offers_a_new_window(
    tool: LiveTool, db: Session, chromium: Callable[..., Any]
) -> None:
    platform, server = _lms("moodle")
    try:
        installed = install_tool(db, platform, tool_base=tool.base_url)
        platform.add_resource_link(installed.course, installed.tool, title="Survey design")
        page = chromium(third_party_cookies=False).new_page()
        _forget_cookies_before_auth(page, platform, tool)
        page.goto(platform.base_url + "/")
        page.get_by_role("button", name="Survey design").click()

        frame = page.frame_locator("iframe[name=tool]")
        link = frame.get_by_role("link", name="Open Microbridge in a new window")
        link.wait_for()
        assert_accessible(next(f for f in page.frames if f.url.startswith(tool.base_url)),
                          "launch: open in a new window")
        page.unroute_all()
        with page.expect_popup() as popup_info:
            link.click()
        popup = popup_info.value
        popup.get_by_role("heading", name="Market Research Practicum").wait_for()
    finally:
        server.shutdown()
