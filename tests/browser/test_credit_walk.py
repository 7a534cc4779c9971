"""The credit walk in Chromium: in the demo course's project placed for credit, the instructor
recommends credit, the credit officer signs in through the demo outbox and approves it, and
the student sees it approved. axe-core checks every page on the way.

What comes before (the student's hours, work and reflection, the employer's review and hours,
the released grade) is done through the live tool's own forms over HTTP, as other tests walk it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask import session as flask_session
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.employers.models import EmployerMember
from catalog.institutions.service import get_or_create
from catalog.projects.models import Project, ProjectRevision, RubricCriterion
from config.cookie_session import sign_in
from config.settings import Settings
from grading.placements.models import Placement
from grading.submissions.models import Submission
from lti_tool.demo import CREDIT_MARK, seed_credit_placement
from lti_tool.demo_lms.platform import Platform
from lti_tool.registry import service as registry
from tests.browser.journey import INSTITUTION, INSTRUCTOR, STUDENT, Lms, demo_lms, install, seed_catalog
from tests.support.live import LiveTool, live_tool
from tests.support.lms import LaunchDriver, launch_token
from tests.work.harness import LaunchedUser, Reviewer

pytestmark = pytest.mark.browser

OFFICER_EMAIL = "registrar@demo-university.example"
WALK_PAGES = ("instructor: academic credit", "instructor: credit recommended",
              "credit office: sign in", "credit office: check your email", "outbox",
              "credit office: confirm sign-in", "credit office: waiting",
              "credit office: approved", "student: credit approved")


@pytest.fixture
def tool(settings: Settings, app: object) -> Iterator[LiveTool]:
    with live_tool(settings) as live:
        yield live


def _launched(app: Flask, platform: Platform, registration: Any, user: Any, link: Any) -> LaunchedUser:
    client = app.test_client()
    course = next(iter(platform.state.courses.values()))
    answer = LaunchDriver(client, platform).launch(registration, user, course, resource_link=link)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return LaunchedUser(app, launch_token(answer), user)


def _reviewer(app: Flask, member_id: int) -> Reviewer:
    client = app.test_client()
    with app.test_request_context("/"):  # signed in as the emailed link would
        sign_in("employer", member_id)
        data = dict(flask_session)
    with client.session_transaction() as session:
        session.update(data)
    return Reviewer(client, member_id)


def _user(platform: Platform, name: str) -> Any:
    return next(u for u in platform.state.users.values() if f"{u.given_name} {u.family_name}" == name)


def work_graded_and_hours_verified(app: Flask, db: Session, platform: Platform, registration: Any,
                                   link: Any, placement: Placement) -> None:
    """48 hours logged and verified (one credit at the demo's 45 hours), the best grade released,
    a reflection handed in."""
    pid = placement.id
    student = _launched(app, platform, registration, _user(platform, STUDENT), link)
    assert student.post(f"/work/{pid}/start").status_code == 303
    for back in range(6):
        day = (date.today() - timedelta(days=back + 1)).isoformat()
        assert student.post(f"/work/{pid}/hours", data={"day": day, "hours": "8"}).status_code == 303
    page = student.get(f"/work/{pid}").get_data(as_text=True)
    token = re.search(r'name="form_token" value="([^"]+)"', page)
    assert token
    assert student.post(f"/work/{pid}/submit", data={"text": "Our findings.", "links": "",
                                                     "form_token": token.group(1)}).status_code == 303
    assert student.post(f"/work/{pid}/consent", data={"records": ["work", "feedback"],
                                                      "signature": STUDENT}).status_code == 303
    db.expire_all()
    submission = db.scalars(select(Submission).where(Submission.placement_id == pid)).one()
    revision = db.get(ProjectRevision, placement.project_revision_id)
    assert revision is not None
    member = db.scalars(select(EmployerMember)
                        .join(Project, Project.employer_id == EmployerMember.employer_id)
                        .where(Project.id == revision.project_id)).first()
    assert member is not None
    reviewer = _reviewer(app, member.id)
    best = {f"criterion-{c.id}": str(max(c.levels, key=lambda lv: lv.points).id)
            for c in db.scalars(select(RubricCriterion).where(RubricCriterion.revision_id == revision.id))}
    assert reviewer.post(f"/employer/reviews/{submission.id}",
                         data={**best, "feedback": "Thorough.", "action": "final"}).status_code == 303
    person_id = submission.member_ids[0]
    assert reviewer.post(f"/employer/reviews/{submission.id}/hours",
                         data={"person_id": str(person_id), "hours": "48"}).status_code == 303
    teacher = _launched(app, platform, registration, _user(platform, INSTRUCTOR), link)
    assert teacher.post(f"/reviews/placements/{pid}/submissions/{submission.id}/approve",
                        data={"score": "", "reason": ""}).status_code == 303
    assert student.post(f"/work/{pid}/reflection", data={
        "what_i_did": "Surveyed members.", "skills_used": "Survey design",
        "what_i_learned": "Plain questions get honest answers."}).status_code == 303


def instructor_recommends(lms: Lms, title: str) -> None:
    frame = lms.frame
    lms.switch_user(INSTRUCTOR)
    lms.launch(title)
    lms.wait_heading(title)
    frame.get_by_role("link", name="Academic credit").click()
    lms.wait_heading(re.compile("academic credit$"))
    lms.check("instructor: academic credit")
    ada = frame.get_by_role("article", name=re.compile(f"^{STUDENT}"))  # the roster lists everyone
    ada.get_by_label(re.compile("^Note or reason")).fill("Met every milestone.")
    ada.get_by_role("button", name="Recommend 1 credit").click()
    frame.get_by_role("article", name=re.compile(f"^{STUDENT}")).get_by_text(
        "Recommended, waiting for the credit office").first.wait_for()
    lms.check("instructor: credit recommended")


def credit_officer_approves(context: Any, lms: Lms) -> None:
    page = lms.new_top_page(context)
    page.goto(lms.tool_url + "/credit-office/sign-in")
    page.get_by_label("Email address").wait_for()
    lms.check_top(page, "credit office: sign in")
    page.get_by_label("Email address").fill(OFFICER_EMAIL)
    page.get_by_role("button", name="Email me a sign-in link").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    lms.check_top(page, "credit office: check your email")
    page.get_by_role("link", name="local outbox").click()
    lms.check_top(page, "outbox")
    page.locator("a[href*='/credit-office/sign-in/']").first.click()
    lms.check_top(page, "credit office: confirm sign-in")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Waiting for a decision").wait_for()
    page.set_viewport_size({"width": 1000, "height": 900})
    assert STUDENT in page.get_by_role("article").first.inner_text()
    lms.check_top(page, "credit office: waiting")
    page.get_by_role("button", name="Approve 1 credit").click()
    page.get_by_text("Nothing is waiting.").wait_for()
    lms.check_top(page, "credit office: approved")
    page.close()


def student_sees_it_approved(lms: Lms, title: str) -> None:
    lms.switch_user(STUDENT)
    lms.launch(title)
    lms.wait_heading(title)
    section = lms.frame.locator("#credit")
    section.get_by_text("Approved: 1 credit").wait_for()
    section.scroll_into_view_if_needed()
    lms.check("student: credit approved")


def test_recommend_approve_and_the_student_sees_it(tool: LiveTool, db: Session,
                                                   chromium: Callable[..., Any]) -> None:
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
    assert set(WALK_PAGES) <= set(lms.checked), set(WALK_PAGES) - set(lms.checked)
