"""Refused forms in Chromium, with the tool framed 320 CSS pixels wide (the employer's portal
in a 320 px window): each comes back with what was typed and the error beside its field, named
by aria-describedby and marked aria-invalid, checked by axe-core and for sideways scrolling.

The student's consent signature and submission (nothing, then a file too large, then one of the
wrong type: the text and links stay), the employer's incomplete review (then "Draft saved", the
final review read back in words), the instructor's changed score without a reason."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from config.settings import Settings
from tests.browser.journey import (
    EMPLOYER_EMAIL,
    INSTRUCTOR,
    PROJECT,
    STUDENT,
    Lms,
    demo_lms,
    install,
    seed_catalog,
)
from tests.browser.test_journeys import open_project_as_student, place_by_deep_linking
from tests.browser.test_pages_accessible import _errors_tied_to_fields, _sign_in_by_outbox
from tests.support.live import LiveTool, live_tool

pytestmark = pytest.mark.browser

TEXT = "Members feel squeezed: 41% report high stress."
LINKS = "https://example.org/survey-results"
MB = 1024 * 1024


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_overrides(upload_max_file_mb=1, upload_max_submission_mb=4)


@pytest.fixture
def tool(settings: Settings, app: object) -> Iterator[LiveTool]:
    with live_tool(settings) as live:
        yield live


def _refused(lms: Lms, target: Any, name: str, *, summary: bool = True) -> None:
    """The form is back: the error summary (a live alert), each error tied to its field."""
    if summary:
        target.get_by_role("alert").filter(has_text=re.compile("Please fix")).wait_for()
    target.locator("[aria-invalid=true]").first.wait_for()  # the refused page has arrived
    _errors_tied_to_fields(target)
    assert "go back to it in Canvas or Moodle" not in target.locator("main").inner_text()


def test_forms_come_back_as_sent_at_320px(
    tool: LiveTool, db: Session, tmp_path: Path, chromium: Callable[..., Any]
) -> None:
    seed_catalog(db)
    with demo_lms("canvas") as platform:
        install(db, platform, tool)
        context = chromium(third_party_cookies=False)
        lms = Lms(context.new_page(), platform, tool.base_url, narrow=True)
        lms.open("/")
        place_by_deep_linking(lms)
        open_project_as_student(lms, _Ignored())
        frame = lms.frame

        # Consent: a signature that is not the student's name.
        frame.get_by_role("button", name="Start").click()
        frame.get_by_role("link", name="Consent, privacy and the disclosure log").click()
        lms.wait_heading("Consent and privacy")
        frame.get_by_label("Type your full name to sign").fill("Ada Lovelance")
        frame.get_by_role("button", name="Sign and consent").click()
        _refused(lms, frame, "consent")
        assert frame.get_by_label("Type your full name to sign").input_value() == "Ada Lovelance"
        lms.check("student: consent refused")
        frame.get_by_label("Type your full name to sign").fill(STUDENT)
        frame.get_by_role("button", name="Sign and consent").click()
        frame.get_by_role("button", name="Withdraw my consent").wait_for()
        frame.get_by_role("link", name=re.compile("Back to")).click()
        lms.wait_heading(PROJECT)
        assert "reviews your work" in frame.locator("#who-grades").inner_text()

        # The submission: nothing at all.
        frame.get_by_role("button", name="Submit", exact=True).click()
        _refused(lms, frame, "nothing to submit")
        lms.check("student: nothing to submit")
        # A file too large, with text and a link typed: the text and the link stay.
        frame.get_by_label(re.compile("^Text")).fill(TEXT)
        frame.get_by_label(re.compile("^Links")).fill(LINKS)
        big = tmp_path / "report.pdf"
        big.write_bytes(b"%PDF-1.4\n" + b"0" * (MB + 10))
        frame.get_by_label(re.compile("^Files")).set_input_files(str(big))
        frame.get_by_role("button", name="Submit", exact=True).click()
        _refused(lms, frame, "file too large")
        assert frame.get_by_label(re.compile("^Text")).input_value() == TEXT
        assert frame.get_by_label(re.compile("^Links")).input_value() == LINKS
        assert "larger than 1 MB" in frame.locator("#submit-files-error").inner_text()
        lms.check("student: file too large")
        # A program: refused by type, the rest kept again.
        program = tmp_path / "setup.exe"
        program.write_bytes(b"MZ\x90\x00" + b"\x00" * 300)
        frame.get_by_label(re.compile("^Files")).set_input_files(str(program))
        frame.get_by_role("button", name="Submit", exact=True).click()
        _refused(lms, frame, "file type")
        assert frame.get_by_label(re.compile("^Text")).input_value() == TEXT
        lms.check("student: file of the wrong type")
        frame.get_by_role("button", name="Submit", exact=True).click()
        lms.wait_heading(f"{PROJECT}: attempt 1")

        # The employer, in a phone-sized window: an incomplete review, a draft, the final review.
        page = lms.new_top_page(context)
        _sign_in_by_outbox(page, tool.base_url, "/employer/sign-in", EMPLOYER_EMAIL)
        page.goto(tool.base_url + "/employer/reviews/")
        page.get_by_role("link", name=STUDENT).click()
        page.get_by_label("Feedback to the student").fill("Sound survey design.")
        page.get_by_role("button", name="Submit final review").click()
        _refused(lms, page, "review")
        assert page.get_by_label("Feedback to the student").input_value() == "Sound survey design."
        lms.check_top(page, "employer: review incomplete")
        criteria = [c for c in page.locator("form fieldset").all()
                    if "points" in c.locator("legend").inner_text()]
        for criterion in criteria:
            criterion.get_by_role("radio").first.check()
        page.get_by_role("button", name="Save draft").click()
        page.get_by_role("status").filter(has_text="Draft saved").wait_for()
        lms.check_top(page, "employer: draft saved")
        page.get_by_role("button", name="Submit final review").click()
        page.get_by_role("status").filter(
            has_text="Review submitted: the instructor will approve it").wait_for()
        summary = page.locator("dl.review-summary").inner_text()
        assert "Total" in summary and "points" in summary
        assert page.locator("main input[type=radio]").count() == 0  # words, not faint controls
        lms.check_top(page, "employer: final review")
        page.close()

        # The instructor changes the score without a reason.
        lms.switch_user(INSTRUCTOR)
        lms.launch(PROJECT)
        lms.wait_heading(PROJECT)
        placement = lms.tool_frame().url
        lms.tool_frame().goto(re.sub(r"/course/placements/(\d+)", r"/reviews/placements/\1", placement))
        lms.wait_heading(re.compile("reviews and grades"))
        frame.get_by_label(re.compile("^Score to release")).fill("12")
        frame.get_by_role("button", name="Approve and release").click()
        _refused(lms, frame, "reason")
        assert frame.get_by_label(re.compile("^Score to release")).input_value() == "12"
        lms.check("instructor: reason missing")
        frame.get_by_label(re.compile("^Reason for changing")).fill("The survey sample was small.")
        frame.get_by_role("button", name="Approve and release").click()
        frame.get_by_role("button", name="Release again").wait_for()


class _Ignored:
    """Gaps the journeys report; not this test's subject."""

    found: list[str] = []
