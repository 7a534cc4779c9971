"""The student journey with the keyboard only: Tab to move, Enter or Space to act, typing to
fill fields. Every control reached shows a visible focus indicator."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from config.settings import Settings
from tests.browser.journey import PROJECT, STUDENT, Lms, demo_lms, install, seed_catalog
from tests.browser.test_journeys import place_by_deep_linking
from tests.support.live import LiveTool, live_tool

pytestmark = pytest.mark.browser

MAX_TABS = 80

# What has the focus: in the LMS page, or (when that is the tool iframe) inside the tool.
_FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const label = el.labels && el.labels.length ? el.labels[0].textContent : '';
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(),
    name: (el.getAttribute('aria-label') || label || el.textContent || el.value || '').trim()
            .replace(/\\s+/g, ' '),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
  };
}"""


def focused(lms: Lms) -> dict[str, Any] | None:
    top = lms.page.evaluate(_FOCUSED)
    if top is None or top["tag"] != "iframe":
        return None if top is None else {**top, "in_tool": False}
    frame = lms.page.frame(name="tool")
    inside = frame.evaluate(_FOCUSED) if frame is not None else None
    return None if inside is None else {**inside, "in_tool": True}


def tab_to(lms: Lms, tag: str, name: str | re.Pattern[str]) -> dict[str, Any]:
    """Press Tab until a `tag` element whose name matches has the focus; it must show it."""
    seen: list[str] = []
    for _ in range(MAX_TABS):
        lms.page.keyboard.press("Tab")
        now = focused(lms)
        if now is None:
            continue
        seen.append(f"{now['tag']}:{now['name'][:40]}")
        matches = re.search(name, now["name"]) if isinstance(name, re.Pattern) else now["name"] == name
        if now["tag"] == tag and matches:
            # The tool's own focus indicator (the LMS's controls keep the browser's).
            assert now["outline"] or not now["in_tool"], f"{tag} {name!r} shows no focus indicator"
            return now
    raise AssertionError(f"Tab never reached {tag} {name!r}; focus went through {seen}")


@pytest.fixture
def tool(settings: Settings, app: object) -> Iterator[LiveTool]:
    with live_tool(settings) as live:
        yield live


def test_student_journey_keyboard_only(tool: LiveTool, db: Session, chromium: Callable[..., Any]) -> None:
    seed_catalog(db)
    with demo_lms("canvas") as platform:
        install(db, platform, tool)
        lms = Lms(chromium(third_party_cookies=False).new_page(), platform, tool.base_url)
        lms.open("/")
        place_by_deep_linking(lms)  # the instructor's part, set up with the mouse
        lms.switch_user(STUDENT)
        keys = lms.page.keyboard

        tab_to(lms, "button", PROJECT)
        keys.press("Enter")
        lms.wait_heading(PROJECT)

        tab_to(lms, "button", "Start")
        keys.press("Space")
        lms.frame.get_by_role("link", name="Consent, privacy and the disclosure log").wait_for()
        tab_to(lms, "a", "Consent, privacy and the disclosure log")
        keys.press("Enter")
        lms.wait_heading("Consent and privacy")
        tab_to(lms, "input", re.compile("^Type your full name"))
        keys.type(STUDENT)
        tab_to(lms, "button", "Sign and consent")
        keys.press("Enter")
        lms.frame.get_by_role("button", name="Withdraw my consent").wait_for()
        tab_to(lms, "a", re.compile("Back to"))
        keys.press("Enter")
        lms.wait_heading(PROJECT)
        tab_to(lms, "textarea", re.compile("^Text"))
        keys.type("Keyboard only: the full report is linked below.")
        tab_to(lms, "textarea", re.compile("^Links"))
        keys.type("https://example.org/report")
        tab_to(lms, "button", "Submit")
        keys.press("Enter")
        lms.wait_heading(f"{PROJECT}: attempt 1")
        assert "Keyboard only" in lms.frame.locator("main").inner_text()
