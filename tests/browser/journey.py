"""What the journey tests share: the demo LMS (a seeded emulator platform on `localhost`), the
tool on `127.0.0.1` (another site, so the tool is in a cross-site iframe), the demo catalog,
and a page object for the demo LMS's course page with its `tool` iframe.

Every page of the tool that a journey reaches is checked with axe-core (WCAG 2.1 AA) and, when
the journey runs narrow, for horizontal scrolling at 320 CSS pixels inside the iframe.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError
from sqlalchemy.orm import Session

from catalog.institutions.service import get_or_create
from lti_tool.demo_lms.app import create_platform_app
from lti_tool.demo_lms.demo import demo_platform
from lti_tool.demo_lms.platform import Platform
from lti_tool.demo_lms.server import serve_in_thread
from lti_tool.registration.service import create_link
from lti_tool.registry import service as registry
from tests.browser.a11y import assert_accessible
from tests.support.live import LiveTool, free_port

INSTITUTION = "Demo University"
NARROW = 320  # CSS pixels: WCAG 1.4.10 reflow
PROJECT = "Survey of members' financial stress"
EMPLOYER_EMAIL = "analytics@northgatecu.example"
INSTRUCTOR = "Grace Hopper"
STUDENT = "Ada Lovelace"
ADMIN = "Margaret Hamilton"


def seed_catalog(db: Session) -> None:
    """The demo catalog of `microbridge demo` (employers, curated projects, a curator)."""
    from catalog.demo_data import seed_demo_catalog

    seed_demo_catalog(db, get_or_create(db, name=INSTITUTION))
    db.commit()


def registration_link(db: Session, tool: LiveTool) -> str:
    """A single-use Dynamic Registration link, as `microbridge registration-link` prints."""
    link = create_link(db, base_url=tool.base_url, valid_for=timedelta(hours=1), note="browser test",
                       institution_name=INSTITUTION)
    db.commit()
    return link


def install(db: Session, platform: Platform, tool: LiveTool) -> None:
    """Register the tool with the demo LMS and the LMS with the tool, as `microbridge demo` does."""
    registration = platform.register_tool(
        login_url=tool.base_url + "/lti/login", redirect_uris=[tool.base_url + "/lti/launch"],
        jwks_url=tool.base_url + "/.well-known/jwks.json", target_link_uri=tool.base_url + "/lti/launch",
    )
    registry.add_platform(
        db, issuer=platform.issuer, client_id=registration.client_id, auth_login_url=platform.auth_url,
        token_url=platform.token_url, jwks_url=platform.jwks_url, flavour=platform.flavour,
        deployment_ids=list(registration.deployment_ids),
        institution_id=get_or_create(db, name=INSTITUTION).id,
    )
    db.commit()


@contextmanager
def demo_lms(flavour: str) -> Iterator[Platform]:
    """The demo LMS's course (instructor, three students, an administrator), no tool yet."""
    port = free_port()
    platform = demo_platform(flavour, f"http://localhost:{port}")
    server = serve_in_thread(create_platform_app(platform), "127.0.0.1", port)
    try:
        yield platform
    finally:
        server.shutdown()


def no_horizontal_scroll(frame: Any, name: str) -> None:
    """The page reflows at the frame's width: nothing but wide tables (in their own scrolling
    wrapper) may be wider than the viewport."""
    overflow = frame.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          if (document.documentElement.scrollWidth <= width + 1) return null;
          const wide = [...document.querySelectorAll("body *")].filter(el => {
            const r = el.getBoundingClientRect();
            return r.right > width + 1 && !(el.parentElement && el.parentElement.closest('.table-wrap'));
          }).slice(-5).map(el => el.outerHTML.slice(0, 160));
          if (!wide.length) {  // text wider than its box (a long word or address)
            wide.push(...[...document.querySelectorAll('body *')]
              .filter(el => el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0
                            && getComputedStyle(el).overflowX === 'visible')
              .slice(-5).map(el => 'content overflows: ' + el.outerHTML.slice(0, 160)));
          }
          return {scrollWidth: document.documentElement.scrollWidth, width, wide};
        }"""
    )
    assert overflow is None, f"{name} scrolls sideways at {NARROW}px: {overflow}"


_DOCUMENT_HEIGHT = "() => Math.ceil(document.documentElement.getBoundingClientRect().height)"
_FRAME_HEIGHT = "() => document.querySelector('iframe[name=tool]').clientHeight"


def wait_for_page_address(frame: Any, *, timeout_ms: int = 15000) -> str:
    """The frame's address once a launch's answer has put its page's own there.

    The page is served at /lti/launch, and page_address.js replaces that in the frame's history,
    deferred until the page is parsed: its heading can show first, on busy cores long enough
    for a test to read the launch's address. Playwright's wait pumps its events (frame.url
    is updated by them); a page served at its own address returns at once."""
    waited = 0
    while urlsplit(frame.url).path.startswith("/lti/launch") and waited < timeout_ms:
        frame.page.wait_for_timeout(50)
        waited += 50
    return str(frame.url)


@dataclass
class Lms:
    """The demo LMS in one browser tab, with the tool in its `tool` iframe."""

    page: Any
    platform: Platform | Any  # anything with base_url and is_canvas (tools/screenshots.py)
    tool_url: str
    narrow: bool = False
    checked: list[str] = field(default_factory=list)
    a11y: bool = True  # tools/screenshots.py walks the journeys without axe
    shoot: Callable[[str, Any], None] | None = None  # called with each checked page's name

    @property
    def base(self) -> str:
        return self.platform.base_url

    def __post_init__(self) -> None:
        if self.narrow:
            # Every page of the LMS (not the tool) frames the tool 320 CSS pixels wide.
            script = (
                "if (location.origin === ORIGIN) { document.addEventListener('DOMContentLoaded', () => {"
                " const style = document.createElement('style');"
                " style.textContent = 'iframe { width: WIDTHpx !important; }';"
                " document.head.append(style); }); }"
            )
            self.page.add_init_script(
                script.replace("ORIGIN", repr(origin(self.base))).replace("WIDTH", str(NARROW))
            )

    def open(self, path: str = "/") -> None:
        self.page.goto(self.base + path)

    def switch_user(self, name: str) -> None:
        option = self.page.locator("#user option", has_text=re.compile(rf"^\s*{re.escape(name)} \("))
        self.page.select_option("#user", option.get_attribute("value"))
        self.page.get_by_role("button", name="Switch").click()
        self.page.wait_for_load_state()

    @property
    def frame(self) -> Any:
        """The tool iframe, for locators (auto-waiting)."""
        return self.page.frame_locator("iframe[name=tool]")

    def tool_frame(self) -> Any:
        """The tool iframe's current document, for evaluation, at its page's own address."""
        frame = self.page.frame(name="tool")
        assert frame is not None and frame.url.startswith(self.tool_url), (
            f"the tool iframe is at {frame.url if frame else None}"
        )
        wait_for_page_address(frame)
        return frame

    def launch(self, title: str) -> None:
        self.page.get_by_role("button", name=title, exact=True).click()

    def wait_heading(self, name: str | re.Pattern[str], *, level: int = 1) -> None:
        self.frame.get_by_role("heading", name=name, level=level).first.wait_for()
        self.wait_fitted()

    def wait_fitted(self, *, within_ms: int = 3000) -> None:
        """Wait until the LMS has fitted its iframe to the page now shown (frame_resize.js sends
        the height 150 ms after layout settles). Before that, a click aims where a button was:
        the frame then shrinks, the LMS page's scroll is clamped, the button moves and the click
        lands on the LMS page instead. A page that never asks to be fitted just costs the wait."""
        frame = self.page.frame(name="tool")
        if frame is None:
            return
        for _ in range(within_ms // 50):
            try:
                wanted = frame.evaluate(_DOCUMENT_HEIGHT)
            except PlaywrightError:  # the frame is navigating again
                wanted = 0
            shown = self.page.evaluate(_FRAME_HEIGHT)
            if wanted and abs(shown - min(max(wanted, 150), 20000)) <= 3:
                return
            self.page.wait_for_timeout(50)

    def check(self, name: str, frame: Any = None) -> None:
        """axe-core on the tool page now shown (and reflow when narrow)."""
        target = frame or self.tool_frame()
        target.wait_for_load_state()
        if self.a11y:
            assert_accessible(target, name)
            if self.narrow:
                no_horizontal_scroll(target, name)
        self.checked.append(name)
        if self.shoot:
            self.shoot(name, self.page)

    def new_top_page(self, context: Any) -> Any:
        """A second tab, outside the LMS (a phone-sized window when the journey runs narrow)."""
        page = context.new_page()
        if self.narrow:
            page.set_viewport_size({"width": NARROW, "height": 640})
        return page

    def check_top(self, page: Any, name: str) -> None:
        """axe-core on a top-level tool page (employer portal, outbox, admin, errors); when the
        journey runs narrow, the page is in a 320 px wide window (see `new_top_page`)."""
        page.wait_for_load_state()
        if self.a11y:
            assert_accessible(page, name)
            if self.narrow:
                no_horizontal_scroll(page, name)
        self.checked.append(name)
        if self.shoot:
            self.shoot(name, page)


class Gaps:
    """Steps a person cannot yet take by following a link, reached by address instead."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def follow(
        self, where: Any, name: str | re.Pattern[str], *, instead: Callable[[], None], why: str
    ) -> None:
        link = where.get_by_role("link", name=name)
        if link.count():
            link.first.click()
        else:
            self.found.append(why)
            instead()

    def report(self) -> None:
        if self.found:
            warnings.warn("journey steps reached by address, not by a link: " + "; ".join(self.found),
                          stacklevel=2)


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


