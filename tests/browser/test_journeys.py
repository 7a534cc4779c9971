"""Every journey of a newcomer's first hour, end to end in Chromium, against the live tool and
the demo LMS (the project's LTI platform emulator), which talk only through LTI:

an administrator registers the tool by Dynamic Registration from the LMS's admin page and
activates it; the instructor places a project by deep linking; a student opens it, consents
and submits; the employer signs in through the demo email outbox and reviews; the instructor
approves; the grade and the comment appear in the LMS gradebook.

Both flavours, third-party cookies blocked (a fresh profile's default) and once allowed; one
run with the tool framed 320 CSS pixels wide. axe-core checks every tool page on the way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from config.settings import Settings
from tests.browser.journey import (
    ADMIN,
    EMPLOYER_EMAIL,
    INSTRUCTOR,
    PROJECT,
    STUDENT,
    Gaps,
    Lms,
    demo_lms,
    registration_link,
    seed_catalog,
)
from tests.support.live import LiveTool, live_tool

pytestmark = pytest.mark.browser

FEEDBACK = "Clear, well-argued report: the survey design is sound."
# The tool pages each journey checks with axe-core.
JOURNEY_PAGES = (
    "registration: confirm", "deep linking: catalog", "deep linking: project preview",
    "deep linking: set up", "deep linking: ready", "student: project", "student: consent",
    "student: consent given", "student: project, started", "student: submitted work", "home",
    "employer: sign in", "employer: check your email", "outbox", "employer: confirm sign-in",
    "employer: projects", "employer: submissions to review", "employer: review",
    "employer: review submitted", "instructor: placement", "instructor: reviews and grades",
    "instructor: grade released",
)


@pytest.fixture
def tool(settings: Settings, app: object) -> Iterator[LiveTool]:
    with live_tool(settings) as live:
        yield live


# -- the steps -------------------------------------------------------------------------------


def register_by_dynamic_registration(lms: Lms, link: str | None, *, check_done_page: bool) -> None:
    """The LMS administrator registers Microbridge (LTI Dynamic Registration) and turns it on.
    Without `link`, the one the admin page suggests (the demo's) is used."""
    page = lms.page
    lms.switch_user(ADMIN)
    page.get_by_role("link", name="Admin").click()
    if link is not None:
        page.get_by_label("Tool registration URL").fill(link)
    page.get_by_role("button", name="Register", exact=True).click()
    registration = page.frame_locator("iframe[title='Tool registration']")
    registration.get_by_role("heading", name="Register Microbridge with your LMS").wait_for()
    lms.check("registration: confirm", frame=_frame_at(page, lms.tool_url))
    if check_done_page:
        # Hold the close message back long enough to check the page that sends it.
        page.route(re.compile(r".*/registration_close\.js$"), lambda route: route.abort())
    registration.get_by_role("button", name="Register Microbridge").click()
    if check_done_page:
        registration.get_by_role("heading", name="Microbridge is registered").wait_for()
        lms.check("registration: done", frame=_frame_at(page, lms.tool_url))
        page.unroute_all()
        page.goto(lms.base + "/admin")
    else:
        # The tool's page posts org.imsglobal.lti.close: the LMS closes the dialog by itself.
        page.wait_for_url(lms.base + "/admin")
    page.get_by_role("button", name="Enable key" if lms.platform.is_canvas else "Activate").click()
    page.get_by_role("cell", name="active").wait_for()


def place_by_deep_linking(lms: Lms) -> None:
    """The instructor adds an activity, chooses a project in the catalog, sets it up."""
    page, frame = lms.page, lms.frame
    lms.switch_user(INSTRUCTOR)
    page.get_by_role("button", name="Add Microbridge activity").click()
    lms.wait_heading(re.compile("^Choose a project"))
    lms.check("deep linking: catalog")
    frame.get_by_role("link", name=f"Preview {PROJECT}").click()
    lms.wait_heading(PROJECT)
    lms.check("deep linking: project preview")
    frame.get_by_role("link", name="Back to the projects").first.click()
    frame.get_by_label(PROJECT, exact=True).check()
    frame.get_by_role("button", name="Continue").click()
    lms.wait_heading("Set up the project")
    lms.check("deep linking: set up")
    frame.get_by_role("button", name="Continue").click()
    lms.wait_heading("Ready to add 1 project")
    lms.check("deep linking: ready")
    frame.get_by_role("button", name="Add to the course").click()
    # The LMS closes its dialog and lists the new activity.
    page.get_by_role("button", name=PROJECT, exact=True).wait_for()
    if lms.platform.is_canvas:  # Canvas creates deep-linked assignments unpublished
        page.get_by_role("button", name="Publish").click()
        page.get_by_role("button", name=PROJECT, exact=True).wait_for()


def open_project_as_student(lms: Lms, gaps: Gaps) -> None:
    lms.switch_user(STUDENT)
    lms.launch(PROJECT)
    heading = lms.frame.get_by_role("heading", level=1)
    heading.first.wait_for()
    if PROJECT not in heading.first.inner_text():
        lms.check("student: landing")
        gaps.found.append("a learner's launch lands on the course placeholder, not on the project")
        frame = lms.tool_frame()
        frame.goto(frame.url.replace("/course/project", "/work"))
    lms.wait_heading(PROJECT)
    lms.check("student: project")


def consent_and_submit(lms: Lms) -> None:
    frame = lms.frame
    frame.get_by_role("button", name="Start").click()
    frame.get_by_role("link", name="Consent, privacy and the disclosure log").click()
    lms.wait_heading("Consent and privacy")
    lms.check("student: consent")
    frame.get_by_label("Type your full name to sign").fill(STUDENT)
    frame.get_by_role("button", name="Sign and consent").click()
    frame.get_by_role("button", name="Withdraw my consent").wait_for()
    lms.check("student: consent given")
    frame.get_by_role("link", name=re.compile("Back to")).click()
    lms.wait_heading(PROJECT)
    lms.check("student: project, started")
    frame.get_by_label(re.compile("^Text")).fill("Members feel squeezed: 41% report high stress.")
    frame.get_by_role("button", name="Submit", exact=True).click()
    lms.wait_heading(f"{PROJECT}: attempt 1")
    lms.check("student: submitted work")


def employer_reviews(context: Any, lms: Lms, gaps: Gaps) -> None:
    """The employer signs in with the magic link from the demo outbox and reviews the work."""
    page = lms.new_top_page(context)
    page.goto(lms.tool_url + "/")
    lms.check_top(page, "home")
    page.get_by_role("link", name="sign in to the employer portal").click()
    page.get_by_label("Email address").wait_for()
    lms.check_top(page, "employer: sign in")
    page.get_by_label("Email address").fill(EMPLOYER_EMAIL)
    page.get_by_role("button", name="Email me a sign-in link").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    lms.check_top(page, "employer: check your email")
    page.get_by_role("link", name="local outbox").click()
    lms.check_top(page, "outbox")
    page.locator("a[href*='/employer/sign-in/']").first.click()
    lms.check_top(page, "employer: confirm sign-in")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Portal").wait_for()
    lms.check_top(page, "employer: projects")
    gaps.follow(page.get_by_role("navigation", name="Portal"), "Reviews",
                instead=lambda: page.goto(lms.tool_url + "/employer/reviews/"),
                why="the employer's projects page has no link to the reviews")
    page.get_by_role("heading", name="Submissions to review").wait_for()
    lms.check_top(page, "employer: submissions to review")
    page.get_by_role("link", name=STUDENT).click()
    lms.check_top(page, "employer: review")
    for criterion in page.locator("form fieldset").all():
        radios = criterion.get_by_role("radio")
        if radios.count() and "points" in criterion.locator("legend").inner_text():
            radios.first.check()  # the best level
    page.get_by_label("Feedback to the student").fill(FEEDBACK)
    page.get_by_role("button", name="Submit final review").click()
    page.get_by_role("heading", name=re.compile(r"Your review \(submitted")).wait_for()
    lms.check_top(page, "employer: review submitted")
    page.close()


def instructor_approves(lms: Lms, gaps: Gaps) -> None:
    page, frame = lms.page, lms.frame
    lms.switch_user(INSTRUCTOR)
    lms.launch(PROJECT)
    lms.wait_heading(PROJECT)
    lms.check("instructor: placement")
    placement_url = lms.tool_frame().url
    gaps.follow(frame, re.compile("Reviews and grades|reviews", re.I),
                instead=lambda: lms.tool_frame().goto(
                    re.sub(r"/course/placements/(\d+)", r"/reviews/placements/\1", placement_url)),
                why="the instructor's placement page has no link to reviews and grades")
    lms.wait_heading(re.compile("reviews and grades"))
    lms.check("instructor: reviews and grades")
    frame.get_by_role("button", name="Approve and release").click()
    frame.get_by_role("button", name="Release again").wait_for()
    lms.check("instructor: grade released")
    page.get_by_role("link", name="Gradebook").click()


def grade_and_comment_in_gradebook(lms: Lms) -> None:
    page = lms.page
    page.get_by_role("heading", name=re.compile("^Gradebook")).wait_for()
    row = page.get_by_role("row", name=re.compile(STUDENT))
    text = row.inner_text()
    assert re.search(r"\b30\b", text), text
    assert FEEDBACK in text, text


# -- the tests -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flavour", "third_party_cookies", "narrow"),
    [
        ("canvas", False, False),
        ("moodle", False, True),
        ("canvas", True, False),
    ],
    ids=["canvas-cookies-blocked", "moodle-cookies-blocked-320px", "canvas-cookies-allowed"],
)
def test_first_hour(
    flavour: str, third_party_cookies: bool, narrow: bool, tool: LiveTool, db: Session,
    chromium: Callable[..., Any],
) -> None:
    seed_catalog(db)
    link = registration_link(db, tool)
    gaps = Gaps()
    with demo_lms(flavour) as platform:
        context = chromium(third_party_cookies=third_party_cookies)
        lms = Lms(context.new_page(), platform, tool.base_url, narrow=narrow)
        lms.open("/")
        register_by_dynamic_registration(lms, link, check_done_page=narrow)
        place_by_deep_linking(lms)
        open_project_as_student(lms, gaps)
        consent_and_submit(lms)
        employer_reviews(context, lms, gaps)
        instructor_approves(lms, gaps)
        grade_and_comment_in_gradebook(lms)
    assert set(JOURNEY_PAGES) <= set(lms.checked), set(JOURNEY_PAGES) - set(lms.checked)
    gaps.report()


def _frame_at(page: Any, prefix: str) -> Any:
    frame = next((f for f in page.frames if f.url.startswith(prefix)), None)
    assert frame is not None, [f.url for f in page.frames]
    return frame
