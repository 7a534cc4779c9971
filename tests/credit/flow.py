"""Steps of the credit journey, shared by the credit tests: a credit-bearing placement, hours
logged and verified, a released grade, a reflection, and a signed-in credit officer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from html import unescape
from typing import Any

from flask import session as flask_session
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from catalog.credit_office import service as office
from catalog.credit_office.models import Approver, CreditPolicy
from catalog.institutions.models import Institution
from config import cookie_session
from grading.credit.models import CreditRecord
from grading.submissions.models import Submission
from tests.reviews.flow import review
from tests.work.harness import LaunchedUser, School


@dataclass
class Officer:
    """A credit officer signed in to the credit office (a top-level browser)."""

    client: FlaskClient
    csrf: str
    account_id: int

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict[str, Any] | None = None) -> TestResponse:
        return self.client.post(path, data={"csrf_token": self.csrf, **(data or {})})


def institution_id(course: School) -> int:
    found = course.db.scalar(select(Institution.id).where(Institution.name == "Demo University"))
    assert found is not None
    return found


def set_policy(course: School, *, approver: Approver = Approver.INSTRUCTOR_THEN_OFFICER,
               reflection: bool = True, hours_per_credit: int = 10, minimum: int = 60) -> None:
    course.db.add(CreditPolicy(institution_id=institution_id(course), approver=approver.value,
                               reflection_required=reflection, hours_per_credit=hours_per_credit,
                               minimum_grade_percent=minimum))
    course.db.commit()


def officer(course: School, email: str = "registrar@example.edu") -> Officer:
    account = office.create_account(course.db, institution_id=institution_id(course), email=email,
                                     name="Rita Registrar")
    course.db.commit()
    client = course.app.test_client()
    with course.app.test_request_context("/"):  # signed in as the emailed link would
        cookie_session.sign_in(office.KIND, account.id)
        signed = dict(flask_session)
    with client.session_transaction() as sess:
        sess.update(signed)
    page = client.get("/credit-office/").get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page[:500]
    return Officer(client, unescape(found.group(1)), account.id)


def make_credit_bearing(course: School, teacher: LaunchedUser, credits: str = "3") -> TestResponse:
    return teacher.post(f"/course/placements/{course.placement_id}/credit/settings",
                        data={"credit_bearing": "yes", "credits": credits})


def log_hours(course: School, student: LaunchedUser, *days: float) -> None:
    for back, hours in enumerate(days):
        day = (date.today() - timedelta(days=back + 1)).isoformat()
        answer = student.post(f"/work/{course.placement_id}/hours",
                              data={"day": day, "hours": str(hours), "note": "client work"})
        assert answer.status_code == 303, answer.get_data(as_text=True)[:300]


def reflect(course: School, student: LaunchedUser) -> TestResponse:
    return student.post(f"/work/{course.placement_id}/reflection", data={
        "what_i_did": "Sized the **café** market.", "skills_used": "Survey design, SQL",
        "what_i_learned": "Ask before you assume. <script>alert(1)</script>"})


def graded(course: School, teacher: LaunchedUser, *, points: tuple[int, ...] = (5, 3),
           hours: tuple[float, ...] = (8, 8, 6)) -> tuple[LaunchedUser, Submission]:
    """A student who logged hours, consented, submitted; the employer reviewed; the grade is out."""
    student = course.student()
    log_hours(course, student, *hours)
    course.submit(student, text="Our findings.")
    student.post(f"/work/{course.placement_id}/consent",
                 data={"records": ["work", "feedback"], "signature": student.name})
    course.db.expire_all()
    submission = course.db.scalar(select(Submission).order_by(Submission.id.desc()))
    assert submission is not None
    assert review(course.reviewer(), submission, course, points) == 303
    approved = teacher.post(f"/reviews/placements/{course.placement_id}/submissions/{submission.id}/approve",
                            data={"score": "", "reason": ""})
    assert approved.status_code == 303
    return student, submission


def employer_verifies(course: School, submission: Submission, person_id: int, hours: str,
                      note: str = "") -> TestResponse:
    return course.reviewer().post(f"/employer/reviews/{submission.id}/hours",
                                  data={"person_id": str(person_id), "hours": hours, "note": note})


def decide(course: School, teacher: LaunchedUser, person_id: int, decision: str = "recommend",
           note: str = "") -> TestResponse:
    return teacher.post(f"/course/placements/{course.placement_id}/credit/students/{person_id}/decide",
                        data={"decision": decision, "note": note})


def record(course: School, person_id: int) -> CreditRecord | None:
    course.db.expire_all()
    return course.db.scalar(select(CreditRecord).where(
        CreditRecord.placement_id == course.placement_id, CreditRecord.person_id == person_id))
