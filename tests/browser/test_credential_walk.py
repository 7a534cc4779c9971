"""The credential walk in Chromium: after the credit walk's approval, the student opens My
credentials and downloads the baked badge and the evidence packet; the verification page says
valid; the credit office revokes it with a reason, and the page says revoked. axe-core checks
every page."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.institutions.service import get_or_create
from grading.credentials.models import Credential
from grading.placements.models import Placement
from lti_tool.demo import CREDIT_MARK, seed_credit_placement
from lti_tool.registry import service as registry
from tests.browser.journey import INSTITUTION, INSTRUCTOR, STUDENT, Lms, demo_lms, install, seed_catalog
from tests.browser.test_credit_walk import (
    credit_officer_approves,
    student_sees_it_approved,
    tool,
    work_graded_and_hours_verified,
)
from tests.support.live import LiveTool

pytestmark = pytest.mark.browser
__all__ = ["tool"]


def instructor_recommends(lms: Lms, title: str) -> None:
    """As the credit walk's step, within the student's own card (the course has other learners)."""
    lms.switch_user(INSTRUCTOR)
    lms.launch(title)
    lms.wait_heading(title)
    lms.frame.get_by_role("link", name="Academic credit").click()
    lms.wait_heading(re.compile("academic credit$"))
    card = lms.frame.get_by_role("article", name=re.compile(f"^{STUDENT}"))
    card.get_by_label(re.compile("^Note or reason")).fill("Met every milestone.")
    card.get_by_role("button", name="Recommend 1 credit").click()
    lms.frame.get_by_text("Recommended, waiting for the credit office").first.wait_for()

WALK = ("student: my credentials", "verify: valid", "curator: credentials", "credit office: credentials",
        "credit office: revoked", "verify: revoked")


def test_the_student_downloads_the_badge_and_the_institution_revokes_it(
        tool: LiveTool, db: Session, chromium: Callable[..., Any]) -> None:
    seed_catalog(db)
    with demo_lms("canvas") as platform:
        install(db, platform, tool)
        registration = next(iter(platform.state.tools.values()))
        row = registry.find_platform(db, issuer=platform.issuer, client_id=registration.client_id)
        assert row is not None
        seed_credit_placement(db, platform, registration, row.id, get_or_create(db, name=INSTITUTION).id)
        db.commit()
        link = next(x for x in platform.state.links.values() if x.custom == CREDIT_MARK)
        if platform.is_canvas:
            link.published = True
        placement = db.scalars(select(Placement).where(Placement.resource_link_id == link.id)).one()
        work_graded_and_hours_verified(tool.app, db, platform, registration, link, placement)

        context = chromium(third_party_cookies=False)
        lms = Lms(context.new_page(), platform, tool.base_url)
        lms.open("/")
        instructor_recommends(lms, link.title)
        credit_officer_approves(context, lms)
        student_sees_it_approved(lms, link.title)

        frame = lms.frame
        with lms.page.expect_download() as packet:
            frame.get_by_role("link", name="PDF").click()
        assert packet.value.suggested_filename.endswith(".pdf")
        frame.get_by_role("link", name="My credentials").click()
        lms.wait_heading("My credentials")
        lms.check("student: my credentials")
        with lms.page.expect_download() as badge:
            frame.get_by_role("link", name=re.compile("^badge image")).click()
        assert badge.value.suggested_filename.endswith(".svg")
        baked = Path(badge.value.path()).read_text(encoding="utf-8")
        assert "<openbadges:credential verify=" in baked

        db.expire_all()
        credential = db.scalars(select(Credential)).one()
        checker = lms.new_top_page(context)
        checker.goto(f"{tool.base_url}/credentials/verify/{credential.uuid}")
        checker.get_by_role("heading", name="Valid").wait_for()
        lms.check_top(checker, "verify: valid")

        # A curator (their own browser: one cookie session each) finds the packet on their pages.
        curator = chromium(third_party_cookies=False).new_page()
        curator.goto(f"{tool.base_url}/curator/sign-in")
        curator.get_by_label("Email address").fill("curator@demo-university.example")
        curator.get_by_role("button", name="Email me a sign-in link").click()
        curator.get_by_role("heading", name="Check your email").wait_for()
        curator.goto(f"{tool.base_url}/outbox")
        curator.locator("a[href*='/curator/sign-in/']").first.click()
        curator.get_by_role("button", name="Sign in").click()
        curator.get_by_role("navigation", name="Portal").get_by_role("link", name="Credentials").click()
        curator.get_by_role("heading", name=re.compile(f"^{STUDENT}:")).wait_for()
        lms.check_top(curator, "curator: credentials")
        with curator.expect_download() as staff_copy:
            curator.get_by_role("link", name="PDF").click()
        assert staff_copy.value.suggested_filename.endswith(".pdf")
        curator.close()

        office = lms.new_top_page(context)  # still signed in to the credit office
        office.goto(f"{tool.base_url}/credit-office/credentials")
        office.get_by_role("heading", name="Students' credentials and evidence packets").wait_for()
        lms.check_top(office, "credit office: credentials")
        office.get_by_label("Reason for revoking").fill("Issued in error.")
        office.get_by_role("button", name="Revoke").click()
        office.get_by_text("Issued in error.").wait_for()
        lms.check_top(office, "credit office: revoked")

        checker.reload()
        checker.get_by_role("heading", name="Revoked").wait_for()
        assert "Issued in error." in checker.content()
        lms.check_top(checker, "verify: revoked")
        assert STUDENT not in checker.content()  # the name stays hidden: a hashed email
    assert set(WALK) <= set(lms.checked), set(WALK) - set(lms.checked)
