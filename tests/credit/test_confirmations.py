"""Inside the LMS, a saved form says so on the page it returns to. The confirmation rides in
the address (known words and ids only), because the frame may keep no cookie for a flashed
message; a made-up word or another student's id shows nothing."""

from __future__ import annotations

from catalog.credit_office.models import Approver
from tests.credentials.test_issue import approved, only_credential
from tests.work.harness import LaunchedUser, School

from .flow import decide, employer_verifies, graded, make_credit_bearing, reflect, set_policy


def _landing(user: LaunchedUser, answer: object) -> str:
    assert getattr(answer, "status_code", None) == 303
    location = answer.headers["Location"]  # type: ignore[attr-defined]
    return user.client.get(location).get_data(as_text=True)


def _status(page: str) -> str:
    start = page.find('role="status">')
    return page[start + len('role="status">'):page.find("</p>", start)] if start >= 0 else ""


def test_the_instructor_is_told_what_each_credit_form_saved(course: School) -> None:
    set_policy(course)
    teacher = course.instructor()
    assert _status(_landing(teacher, make_credit_bearing(course, teacher))) == "Credit settings saved."
    student, submission = graded(course, teacher)
    person_id = course.people[student.name].id
    assert employer_verifies(course, submission, person_id, "22").status_code == 303
    assert reflect(course, student).status_code == 303
    hours = teacher.post(f"/course/placements/{course.placement_id}/credit/students/{person_id}/hours",
                         data={"hours": "21", "note": "one day was a holiday"})
    assert _status(_landing(teacher, hours)).startswith("Hours verified.")
    decided = _status(_landing(teacher, decide(course, teacher, person_id)))
    assert decided.startswith(f"{course.people[student.name].display_name()}: ")

    page = f"/course/placements/{course.placement_id}/credit"
    for forged in ("saved=%3Cb%3EHacked%3C/b%3E", "saved=decided&student=999999"):
        shown = teacher.get(f"{page}?lt={teacher.token}&{forged}")
        assert shown.status_code == 200 and _status(shown.get_data(as_text=True)) == ""


def test_a_placement_without_credit_says_whether_it_earns_a_badge(course: School) -> None:
    teacher = course.instructor()
    settings = f"/course/placements/{course.placement_id}/credit/settings"
    plain = teacher.post(settings, data={"credit_bearing": "no"})
    assert _status(_landing(teacher, plain)) == "This placement does not bear credit."
    badge = teacher.post(settings, data={"credit_bearing": "no", "badge_on_completion": "on"})
    assert _status(_landing(teacher, badge)) == (
        "This placement does not bear credit; completing it earns a badge.")


def test_the_student_is_told_what_changed_on_their_credential(canvas_course: School) -> None:
    approved(canvas_course, approver=Approver.INSTRUCTOR)
    credential = only_credential(canvas_course)
    student = canvas_course.launch(canvas_course.installed.student)
    base = f"/work/credentials/{credential.uuid}"
    shared = _landing(student, student.post(f"{base}/sharing", data={"share": "on"}))
    assert _status(shared).startswith("The share link is on")
    named = _landing(student, student.post(f"{base}/name", data={"show": "on"}))
    assert _status(named) == "The credential now shows your name."
