"""An employer selects blind, in Chromium: the demo's choice of projects has one project that
takes applications; Ada applies from its brief inside the LMS (framed 320 CSS pixels wide),
the employer signs in through the outbox (a 320 px window), reads her answer under a
pseudonym, never her name, and accepts her. axe-core checks every page."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.employers.models import EmployerMember
from catalog.institutions.service import get_or_create
from config.settings import Settings
from grading.applications.models import ApplicationCall
from grading.placements.catalog_project import project_info
from lti_tool.demo import CHOICE_TITLE, seed_choice_set
from lti_tool.registry import service as registry
from tests.browser.journey import INSTITUTION, STUDENT, Lms, demo_lms, install, seed_catalog
from tests.support.live import LiveTool, live_tool

pytestmark = pytest.mark.browser


@pytest.fixture
def tool(settings: Settings, app: object) -> Iterator[LiveTool]:
    with live_tool(settings) as live:
        yield live


def test_an_employer_selects_an_applicant_blind(
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
        call = db.scalars(select(ApplicationCall)).one()  # the demo's project with applications
        title = call.option.placement.title
        employer = project_info(db, call.option.placement).employer
        assert employer is not None
        members = select(EmployerMember.email).where(EmployerMember.employer_id == employer.id)
        email = db.scalars(members).first()
        assert email is not None

        browser = chromium(third_party_cookies=False)
        lms = Lms(browser.new_page(), platform, tool.base_url, narrow=True)
        lms.open("/")
        frame = lms.frame

        lms.switch_user(STUDENT)
        lms.launch(CHOICE_TITLE)
        lms.wait_heading(CHOICE_TITLE)
        frame.get_by_role("link", name=f"Read the brief of {title}").click()
        lms.wait_heading(title)
        lms.check("student: a brief that takes applications")
        frame.get_by_label("Which of the project's skills have you used, and how?").fill(
            "I built a budget dashboard for our student union.")
        frame.get_by_label("Why this project?").fill("I want to work with data for a real client.")
        frame.get_by_label("Hours a week you can give").fill("6")
        frame.get_by_role("button", name="Send my application").click()
        frame.get_by_text("Your application is sent.").wait_for()
        lms.check("student: applied")

        page = lms.new_top_page(browser)
        page.goto(tool.base_url + "/employer/sign-in")
        page.get_by_label(re.compile("email", re.I)).first.fill(email)
        page.locator("main form[method=post] button[type=submit]").first.click()
        page.get_by_role("heading", name="Check your email").wait_for()
        page.goto(tool.base_url + "/outbox")
        page.locator("a[href*='/employer/sign-in/']").first.click()
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name="Applications").click()  # the portal's navigation
        page.get_by_role("heading", name="Applications").wait_for()
        lms.check_top(page, "employer: applications")
        page.get_by_role("link", name=title).click()
        page.get_by_role("heading", name=f"Applicants: {title}").wait_for()
        lms.check_top(page, "employer: applicants")
        body = page.locator("main").inner_text()
        assert "budget dashboard for our student union" in body
        assert "Ada" not in body and "Lovelace" not in body  # blind
        page.get_by_label("Accept").first.check()
        page.get_by_role("button", name="Save my selection").click()
        page.get_by_text("Your selection is saved.").wait_for()
        lms.check_top(page, "employer: selected")
        assert "Lovelace" not in page.locator("main").inner_text()  # selected, no consent yet
