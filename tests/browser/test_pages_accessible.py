"""axe-core (WCAG 2.1 AA) on the tool's pages that the journeys do not pass through, at desktop
width and at 320 CSS pixels: inside the demo LMS's iframe for the instructor's and the
student's pages, top-level for the error pages, the operator's admin page, the employer portal
and the curators' pages. Error pages explain what happened and how to get back, never a trace.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from config import notices
from config.mail import EmailStatus, OutgoingEmail
from config.settings import Settings
from lti_tool.registry.admin import operator_link_token
from tests.browser.a11y import assert_accessible
from tests.browser.journey import (
    INSTRUCTOR,
    NARROW,
    PROJECT,
    Gaps,
    Lms,
    demo_lms,
    install,
    no_horizontal_scroll,
    seed_catalog,
)
from tests.browser.test_journeys import consent_and_submit, open_project_as_student, place_by_deep_linking
from tests.support.live import LiveTool, live_tool

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": NARROW, "height": 640}


@pytest.fixture
def tool(settings: Settings, app: object) -> Iterator[LiveTool]:
    with live_tool(settings) as live:
        yield live


# scroll_regions.js has caught up when every overflowing table region is focusable and no
# other one is (on a busy machine the iframe's resize can land after two animation frames).
_REGIONS_SETTLED = """() => Array.from(document.querySelectorAll('.table-wrap')).every(
  w => (w.scrollWidth > w.clientWidth + 1) === (w.getAttribute('tabindex') === '0'))"""


def _settle(target: Any) -> None:
    """Layout and scroll_regions.js have caught up with a load or a resize."""
    target.wait_for_load_state()
    target.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    target.wait_for_function(_REGIONS_SETTLED, timeout=5000)


def check_page(page: Any, name: str) -> None:
    """A top-level page at desktop width and at 320 px."""
    _settle(page)
    assert_accessible(page, name)
    page.set_viewport_size(PHONE)
    try:
        _settle(page)
        assert_accessible(page, f"{name} at {NARROW}px")
        no_horizontal_scroll(page, name)
    finally:
        page.set_viewport_size(DESKTOP)


def check_framed(lms: Lms, name: str) -> None:
    """The tool page in the LMS iframe, at the LMS's width and with the iframe 320 px wide."""
    frame = lms.tool_frame()
    _settle(frame)
    assert_accessible(frame, name)
    lms.page.evaluate(f"() => {{ document.querySelector('iframe[name=tool]').style.width = '{NARROW}px'; }}")
    try:
        _settle(frame)
        assert_accessible(frame, f"{name} at {NARROW}px")
        no_horizontal_scroll(frame, name)
    finally:
        lms.page.evaluate("() => { document.querySelector('iframe[name=tool]').style.width = ''; }")


def explains_without_trace(page_or_frame: Any, title: str | re.Pattern[str]) -> None:
    heading = page_or_frame.get_by_role("heading", level=1)
    text = heading.first.inner_text()
    assert re.search(title, text) if isinstance(title, re.Pattern) else title == text, text
    body = page_or_frame.locator("main").inner_text()
    assert "What you can do" in body, body
    assert "Traceback" not in body and 'File "' not in body, body


def test_pages_in_the_lms_iframe(tool: LiveTool, db: Session, chromium: Callable[..., Any]) -> None:
    seed_catalog(db)
    with demo_lms("canvas") as platform:
        install(db, platform, tool)
        page = chromium(third_party_cookies=False).new_page()
        lms = Lms(page, platform, tool.base_url)
        lms.open("/")
        place_by_deep_linking(lms)

        # The student: the project before anything is submitted, then the work.
        open_project_as_student(lms, Gaps())
        consent_and_submit(lms)
        check_framed(lms, "student: submitted work")
        student = lms.tool_frame().url
        lms.frame.get_by_role("link", name="Email settings").click()
        lms.wait_heading("Email settings")
        lms.frame.get_by_role("button", name="Save", exact=True).click()
        lms.frame.get_by_text("Email settings saved.").wait_for()
        check_framed(lms, "student: email settings")
        # A student on an instructor's page: not allowed, and told so.
        lms.tool_frame().goto(re.sub(r"/work/submissions/\d+", "/course", student))
        explains_without_trace(lms.frame, "Instructors only")
        check_framed(lms, "error: instructors only (403)")
        # A session that has ended (or a damaged link): told to open Microbridge from the course.
        lms.tool_frame().goto(re.sub(r"lt=[^&]+", "lt=expired", student))
        explains_without_trace(lms.frame, "Please open Microbridge from your course")
        check_framed(lms, "error: session ended (401)")

        # The instructor's pages.
        lms.switch_user(INSTRUCTOR)
        lms.launch(PROJECT)
        lms.wait_heading(PROJECT)
        check_framed(lms, "instructor: placement")
        placement = lms.tool_frame().url
        frame = lms.frame
        frame.get_by_role("link", name="Change settings").click()
        lms.wait_heading(re.compile("^Settings"))
        check_framed(lms, "instructor: placement settings")
        frame.get_by_label("Points").fill("0")
        frame.get_by_label("Name in the course and gradebook").fill("")
        settings_form = frame.locator("form[method=post]").filter(has=frame.get_by_label("Points"))
        settings_form.evaluate("f => f.noValidate = true")
        settings_form.get_by_role("button", name="Save", exact=True).click()
        frame.get_by_role("heading", name=re.compile("^Please fix")).wait_for()
        _errors_tied_to_fields(lms.tool_frame())
        check_framed(lms, "instructor: placement settings with errors")
        for path, name in (
            ("/course", "instructor: course home"),
            ("/work/{id}/manage", "instructor: students' work"),
            ("/reviews/placements/{id}", "instructor: reviews and grades"),
            ("/passback/placements/{id}", "instructor: gradebook sync"),
            ("/catalog/", "instructor: catalog"),
            ("/catalog/recommend/?skills=survey+design", "instructor: recommendations"),
        ):
            lms.tool_frame().goto(_same_session(placement, path))
            check_framed(lms, name)
        lms.tool_frame().goto(_same_session(placement, "/work/{id}/manage"))
        lms.frame.get_by_role("link", name="Attempt 1").first.click()
        lms.wait_heading(re.compile("attempt 1"))
        check_framed(lms, "instructor: a student's submission")


def test_error_and_top_level_pages(
    tool: LiveTool, db: Session, settings: Settings, chromium: Callable[..., Any]
) -> None:
    seed_catalog(db)
    page = chromium(third_party_cookies=False).new_page()
    base = tool.base_url

    page.goto(base + "/course")
    explains_without_trace(page, "Please open Microbridge from your course")
    check_page(page, "error: no launch (401)")
    page.goto(base + "/work/1?lt=expired")
    explains_without_trace(page, "Please open Microbridge from your course")
    check_page(page, "error: session ended (401)")
    page.goto(base + "/no/such/page")
    explains_without_trace(page, "Page not found")
    check_page(page, "error: not found (404)")
    page.goto(base + "/lti/launch")
    explains_without_trace(page, re.compile("Not allowed here|Microbridge could not open"))
    check_page(page, "error: wrong method (405)")
    page.goto(base + "/lti/login?iss=https%3A%2F%2Fnowhere.example&login_hint=1&client_id=x"
              "&target_link_uri=" + base + "%2Flti%2Flaunch")
    explains_without_trace(page, "Microbridge could not open")
    check_page(page, "error: unknown platform")
    # A launch whose state is unknown: expired, or posted twice.
    page.evaluate(
        """() => { const f = document.createElement('form'); f.method = 'post'; f.action = '/lti/launch';
          for (const [k, v] of [['state', 'used-or-expired'], ['id_token', 'x.y.z']]) {
            const i = document.createElement('input');
            i.type = 'hidden'; i.name = k; i.value = v; f.append(i); }
          document.body.append(f); f.submit(); }"""
    )
    page.wait_for_url(base + "/lti/launch")
    explains_without_trace(page, "Microbridge could not open")
    check_page(page, "error: launch expired or used")
    page.goto(base + "/lti/register?rt=not-a-link")
    explains_without_trace(page, re.compile("."))
    check_page(page, "error: registration link not valid")
    page.goto(base + "/admin/sign-in?token=stale")
    explains_without_trace(page, "Sign-in link expired")
    check_page(page, "error: admin link expired (403)")

    # The operator's platform page, by the link `microbridge admin-link` prints.
    page.goto(base + "/admin/sign-in?token=" + operator_link_token(settings.secret_key))
    page.get_by_role("heading", name="LMS platforms").wait_for()
    check_page(page, "admin: platforms")
    db.add(OutgoingEmail(to_address="gone@example.edu", subject="A project awaits curation",
                         body="b", status=EmailStatus.FAILED.value, error="550 mailbox unavailable"))
    db.commit()
    page.get_by_role("link", name="Mail that failed").click()
    page.get_by_role("button", name=re.compile("Send again")).wait_for()
    check_page(page, "admin: mail that failed")
    token = notices.unsubscribe_token(settings.secret_key, address="gone@example.edu",
                                      kind="review_digest")
    page.goto(f"{base}/mail/unsubscribe/{token}")
    check_page(page, "mail: unsubscribe, asked")
    page.get_by_role("button", name="Stop these emails").click()
    page.get_by_role("button", name="Turn them back on").wait_for()
    check_page(page, "mail: unsubscribed")

    page.goto(base + "/")
    check_page(page, "home")

    # The employer portal, beyond the review journey.
    page.goto(base + "/employer/sign-up")
    check_page(page, "employer: sign up")
    page.get_by_role("button").filter(has_text=re.compile("sign up|create|account", re.I)).last.click()
    _errors_tied_to_fields(page)
    check_page(page, "employer: sign up with errors")
    _sign_in_by_outbox(page, base, "/employer/sign-in", "analytics@northgatecu.example")
    page.get_by_role("navigation", name="Portal").wait_for()
    check_page(page, "employer: projects")
    page.get_by_role("link", name=PROJECT).click()
    check_page(page, "employer: project")
    page.goto(base + "/employer/projects/new")
    check_page(page, "employer: new project")
    page.locator("form[method=post] button[type=submit]").last.click()
    _errors_tied_to_fields(page)
    check_page(page, "employer: new project with errors")
    page.goto(base + "/employer/team")
    check_page(page, "employer: team")
    page.goto(base + "/employer/reviews/")
    check_page(page, "employer: submissions to review")
    page.get_by_role("navigation", name="Portal").get_by_role("link", name="Email").click()
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Email settings saved.").wait_for()
    check_page(page, "employer: email settings")
    page.goto(base + "/employer/team")
    page.get_by_label("Their email").fill("new.colleague@northgatecu.example")
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_role("heading", name="Invitations waiting for an answer").wait_for()
    check_page(page, "employer: team with an open invitation")
    # The invitee proves the address and chooses: join, or create their own organisation.
    _sign_in_by_outbox(page, base, "/employer/sign-in", "new.colleague@northgatecu.example")
    page.get_by_role("heading", name="Invitations for this address").wait_for()
    check_page(page, "employer: welcome with an invitation")

    # The curators.
    _sign_in_by_outbox(page, base, "/curator/sign-in", "curator@demo-university.example")
    page.get_by_role("navigation", name="Portal").wait_for()
    check_page(page, "curator: queue")
    page.locator("main a[href*='/curation/projects/']").first.click()
    check_page(page, "curator: project review")
    page.goto(base + "/curation/catalog")
    check_page(page, "curator: listed projects")
    page.goto(base + "/curation/curators")
    check_page(page, "curator: curators")
    page.goto(base + "/curation/mail-settings")
    check_page(page, "curator: email settings")
    page.goto(base + "/curation/")
    page.get_by_role("navigation", name="Portal").get_by_role("link", name="Credentials").click()
    page.get_by_role("heading", name="Students' credentials and evidence packets").wait_for()
    check_page(page, "curator: credentials")


# -- helpers -------------------------------------------------------------------------------


def _same_session(url: str, path: str) -> str:
    match = re.match(r"(https?://[^/]+)/course/placements/(\d+)\?(lt=[^&]+)", url)
    assert match, url
    origin, placement_id, token = match.groups()
    joiner = "&" if "?" in path else "?"
    return origin + path.format(id=placement_id) + joiner + token


def _sign_in_by_outbox(page: Any, base: str, sign_in: str, email: str) -> None:
    page.goto(base + sign_in)
    page.get_by_label(re.compile("email", re.I)).first.fill(email)
    page.locator("main form[method=post] button[type=submit]").first.click()
    page.get_by_role("heading", name="Check your email").wait_for()
    page.goto(base + "/outbox")
    page.locator(f"a[href*='{sign_in}/']").first.click()
    page.get_by_role("button", name="Sign in").click()


def _errors_tied_to_fields(target: Any) -> None:
    """Every field marked invalid names its error message, and that message exists and shows."""
    invalid = target.locator("[aria-invalid=true]")
    assert invalid.count() > 0, "no field is marked aria-invalid after a refused form"
    for field in invalid.all():
        described = (field.get_attribute("aria-describedby") or "").split()
        messages = [target.locator(f"[id='{ident}']") for ident in described]
        shown = [m.inner_text().strip() for m in messages if m.count() and m.is_visible()]
        assert any(shown), f"{field.evaluate('e => e.outerHTML')[:200]} has no visible error message"


def test_launch_interstitials(tool: LiveTool, db: Session, chromium: Callable[..., Any]) -> None:
    """The pages a Canvas launch passes through when the browser keeps no cookie in the iframe:
    the platform-storage login and confirmation (held still by withholding their script), and
    the help the confirmation shows when the LMS's storage does not answer."""
    from tests.browser.test_launch_in_iframe import _forget_cookies_before_auth

    with demo_lms("canvas") as platform:
        install(db, platform, tool)
        platform.add_resource_link(next(iter(platform.state.courses)), next(iter(platform.state.tools)),
                                   title="Survey design")
        page = chromium(third_party_cookies=False).new_page()
        lms = Lms(page, platform, tool.base_url)
        loads: list[str] = []

        def script(route: Any) -> None:
            loads.append(route.request.url)
            route.abort() if len(loads) != 2 else route.continue_()

        page.route(re.compile(r".*/js/platform_storage\.js$"), script)
        lms.open("/")
        lms.launch("Survey design")
        lms.frame.get_by_role("status").filter(has_text="Opening Microbridge").wait_for()
        check_framed(lms, "launch: platform storage login")

        _forget_cookies_before_auth(page, platform, tool)  # no cookie: the launch needs confirming
        lms.launch("Survey design")
        lms.frame.locator("#confirm-form").wait_for(state="attached")
        check_framed(lms, "launch: platform storage confirmation")
        # What the script shows when the LMS's storage does not answer.
        lms.tool_frame().evaluate("() => { document.getElementById('storage-failed').hidden = false; }")
        lms.frame.get_by_role("link", name="Open Microbridge in a new window").wait_for()
        check_framed(lms, "launch: platform storage failed")
