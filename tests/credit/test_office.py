"""The institution's side: curators set the credit policy and invite credit officers, who sign
in by emailed link (or launch as LMS Administrators), and the registrar's CSV export."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from catalog.credit_office.models import CreditOfficerAccount, CreditPolicy
from catalog.curation import service as curation
from config.mail import OutgoingEmail
from grading.people.models import Person
from tests.security.portal import page_token, sign_in_by_link
from tests.work.harness import School
from tests.work.test_accessibility import check

from .flow import (
    decide,
    employer_verifies,
    graded,
    institution_id,
    make_credit_bearing,
    officer,
    reflect,
    set_policy,
)


def _curator(course: School) -> object:
    curation.create_account(course.db, institution_id=institution_id(course),
                            email="cura@example.edu", name="Cura")
    course.db.commit()
    return sign_in_by_link(course.app, course.db, "curator", "cura@example.edu").client


def test_curators_set_the_policy_and_invite_a_credit_officer(canvas_course: School) -> None:
    client = _curator(canvas_course)
    page = client.get("/curation/credit-policy").get_data(as_text=True)  # type: ignore[attr-defined]
    assert "These are the defaults" in page and 'value="45"' in page and "has none" in page
    check(page, in_lms=False)
    token = page_token(client, "/curation/credit-policy")  # type: ignore[arg-type]
    bad = client.post("/curation/credit-policy", data={  # type: ignore[attr-defined]
        "csrf_token": token, "hours_per_credit": "0", "minimum_grade_percent": "60",
        "reflection_required": "yes", "approver": "instructor"})
    assert bad.status_code == 422 and "Nothing was saved" in bad.get_data(as_text=True)
    assert canvas_course.db.scalar(select(CreditPolicy)) is None
    good = client.post("/curation/credit-policy", data={  # type: ignore[attr-defined]
        "csrf_token": token, "hours_per_credit": "30", "minimum_grade_percent": "70",
        "reflection_required": "no", "approver": "instructor_then_officer"})
    assert good.status_code == 303
    canvas_course.db.expire_all()
    saved = canvas_course.db.scalars(select(CreditPolicy)).one()
    assert (saved.hours_per_credit, saved.reflection_required, saved.updated_by) == (
        Decimal("30.00"), False, "cura@example.edu")

    invited = client.post("/curation/credit-officers", data={  # type: ignore[attr-defined]
        "csrf_token": token, "email": "Registrar@Example.edu", "name": "Rita"})
    assert invited.status_code == 303
    mail = canvas_course.db.scalars(select(OutgoingEmail).order_by(OutgoingEmail.id.desc())).first()
    assert mail is not None and mail.to_address == "registrar@example.edu"
    assert "/credit-office/sign-in/" in mail.body
    again = client.post("/curation/credit-officers", data={  # type: ignore[attr-defined]
        "csrf_token": token, "email": "registrar@example.edu"})
    assert again.status_code == 422 and "already has a credit officer account" in again.get_data(as_text=True)

    login = sign_in_by_link(canvas_course.app, canvas_course.db, "credit_officer",
                            "registrar@example.edu")
    assert "Credit office" in login.client.get("/credit-office/").get_data(as_text=True)
    canvas_course.db.expire_all()
    assert canvas_course.db.scalars(select(CreditOfficerAccount)).one().joined_at is not None


def test_only_credit_officers_and_lms_administrators_reach_the_credit_office(canvas_course: School) -> None:
    anonymous = canvas_course.app.test_client().get("/credit-office/")
    assert anonymous.status_code == 302 and "/credit-office/sign-in" in anonymous.headers["Location"]
    assert canvas_course.instructor().get("/credit-office/").status_code == 403
    admin = canvas_course.lms.add_user("Margaret", "Hamilton", is_admin=True)
    assert canvas_course.launch(admin).get("/credit-office/").status_code == 200


def _approved(course: School) -> int:
    set_policy(course, hours_per_credit=10)
    teacher = course.instructor()
    make_credit_bearing(course, teacher)
    student, submission = graded(course, teacher)
    person_id = course.people[student.name].id
    employer_verifies(course, submission, person_id, "22")
    reflect(course, student)
    decide(course, teacher, person_id)
    admin = course.launch(course.lms.add_user("Margaret", "Hamilton", is_admin=True))
    answer = admin.post(f"/credit-office/placements/{course.placement_id}/students/{person_id}/decide",
                        data={"decision": "approve"})
    assert answer.status_code == 303, answer.get_data(as_text=True)[:400]
    return person_id


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_registrar_export_lists_approved_credit_with_the_sis_id_or_says_it_is_missing(
    course: School,
) -> None:
    person_id = _approved(course)
    registrar = officer(course)
    [row] = _rows(registrar.get("/credit-office/export.csv").get_data(as_text=True))
    assert (row["student_name"], row["credits"], row["verified_hours"], row["grade_percent"]) == (
        "Ada Lovelace", "2", "22", "80")
    assert row["course"] == "Market Research Practicum" and row["approved_on"] == date.today().isoformat()
    assert row["approver"].startswith("LMS administrator")
    person = course.db.get(Person, person_id)
    assert person is not None
    if course.lms.is_canvas:  # the Canvas emulator shares lis.person_sourcedid; Moodle's is empty
        assert row["sis_id"] == person.sis_id != "" and row["sis_id_note"] == ""
    else:
        assert row["sis_id"] == "" and "did not share an SIS id" in row["sis_id_note"]


def test_the_export_filters_by_approval_date_and_guards_against_formulas(canvas_course: School) -> None:
    person_id = _approved(canvas_course)
    person = canvas_course.db.get(Person, person_id)
    assert person is not None
    person.name = "=HYPERLINK(\"http://evil.example\")"
    canvas_course.db.commit()
    registrar = officer(canvas_course)
    [row] = _rows(registrar.get("/credit-office/export.csv").get_data(as_text=True))
    assert row["student_name"].startswith("'=")
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert _rows(registrar.get("/credit-office/export.csv",
                               query_string={"from": tomorrow, "to": tomorrow}).get_data(as_text=True)) == []
    reversed_range = registrar.get("/credit-office/export.csv",
                                   query_string={"from": tomorrow, "to": "2020-01-01"})
    assert reversed_range.status_code == 400
    assert registrar.get("/credit-office/export.csv", query_string={"from": "yesterday"}).status_code == 400
