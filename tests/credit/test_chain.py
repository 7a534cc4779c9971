"""The approval chain through the live tool: the instructor recommends, the credit officer
approves or returns, the student sees where credit stands; every refusal writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.credit_office.models import Approver
from grading.credit import events
from grading.credit.models import CreditStep, StepsAreHistory
from grading.placements.models import RosterMember
from grading.submissions.models import Submission
from tests.security.world import fingerprint
from tests.work.harness import School

from .flow import (
    decide,
    employer_verifies,
    graded,
    make_credit_bearing,
    officer,
    record,
    reflect,
    set_policy,
)


@pytest.fixture
def heard() -> Iterator[list[events.CreditApproved]]:
    found: list[events.CreditApproved] = []

    def listener(_session: Session, event: events.CreditApproved) -> None:
        found.append(event)

    events.subscribe(listener)
    yield found
    events.unsubscribe(listener)


def _ready(course: School) -> tuple[int, int]:
    """A student with a released grade (80%), 22 hours logged and verified, a reflection."""
    teacher = course.instructor()
    assert make_credit_bearing(course, teacher).status_code == 303
    student, submission = graded(course, teacher)
    person_id = course.people[student.name].id
    assert employer_verifies(course, submission, person_id, "22").status_code == 303
    assert reflect(course, student).status_code == 303
    return person_id, submission.id


def test_recommend_then_the_credit_officer_approves(course: School,
                                                    heard: list[events.CreditApproved]) -> None:
    set_policy(course)
    person_id, _ = _ready(course)
    teacher, registrar = course.instructor(), officer(course)

    assert decide(course, teacher, person_id, note="Strong work.").status_code == 303
    found = record(course, person_id)
    assert found is not None and found.state == "recommended" and heard == []
    assert (found.credits, found.verified_hours, found.grade_percent) == (
        Decimal("2.0"), Decimal("22.00"), Decimal("80.00"))
    student = course.launch(course.installed.student)
    assert "Recommended, waiting for the credit office" in student.get(
        f"/work/{course.placement_id}").get_data(as_text=True)

    queue = registrar.get("/credit-office/").get_data(as_text=True)
    assert "Ada Lovelace" in queue and "Approve 2 credits" in queue
    assert "<script>alert(1)</script>" not in queue  # the reflection is sanitised
    answer = registrar.post(f"/credit-office/placements/{course.placement_id}/students/{person_id}/decide",
                            data={"decision": "approve", "note": "Checked against the transcript."})
    assert answer.status_code == 303

    approved = record(course, person_id)
    assert approved is not None and approved.state == "approved" and approved.approved_at
    [event] = heard
    assert (event.credit_record_id, event.credits, event.approver_label) == (
        approved.id, Decimal("2.0"), "registrar@example.edu (credit office)")
    steps = course.db.scalars(select(CreditStep).where(CreditStep.credit_record_id == approved.id)
                              .order_by(CreditStep.id)).all()
    assert [(s.action, s.actor_kind) for s in steps] == [
        ("recommended", "instructor"), ("approved", "credit_officer")]
    assert steps[0].note == "Strong work." and "Grace Hopper" in steps[0].actor_label
    page = student.get(f"/work/{course.placement_id}").get_data(as_text=True)
    assert "Approved: <strong>2 credits</strong>" in page and "Checked against the transcript." in page


def test_the_steps_are_history_that_cannot_be_rewritten(canvas_course: School) -> None:
    set_policy(canvas_course)
    person_id, _ = _ready(canvas_course)
    decide(canvas_course, canvas_course.instructor(), person_id)
    step = canvas_course.db.scalars(select(CreditStep)).one()
    step.note = "rewritten"
    with pytest.raises(StepsAreHistory):
        canvas_course.db.flush()
    canvas_course.db.rollback()
    canvas_course.db.delete(canvas_course.db.scalars(select(CreditStep)).one())
    with pytest.raises(StepsAreHistory):
        canvas_course.db.flush()
    canvas_course.db.rollback()


def test_credit_recommended_twice_is_refused_and_changes_nothing(canvas_course: School) -> None:
    set_policy(canvas_course)
    person_id, _ = _ready(canvas_course)
    teacher = canvas_course.instructor()
    assert decide(canvas_course, teacher, person_id).status_code == 303
    before = fingerprint(canvas_course.db)
    again = decide(canvas_course, teacher, person_id)
    assert again.status_code == 409 and "already recommended" in again.get_data(as_text=True)
    assert fingerprint(canvas_course.db) == before


def test_hours_adjusted_after_approval_reopen_it(canvas_course: School) -> None:
    set_policy(canvas_course, approver=Approver.INSTRUCTOR)
    person_id, submission_id = _ready(canvas_course)
    reopened: list[events.CreditReopened] = []
    events.subscribe_reopened(listener := lambda _s, e: reopened.append(e))
    try:
        assert decide(canvas_course, canvas_course.instructor(), person_id).status_code == 303
        found = record(canvas_course, person_id)
        assert found is not None and found.state == "approved"  # the instructor alone approves

        submission = canvas_course.db.get(Submission, submission_id)
        assert submission is not None
        unexplained = employer_verifies(canvas_course, submission, person_id, "12")
        assert unexplained.status_code == 400 and "say why" in unexplained.get_data(as_text=True)
        assert employer_verifies(canvas_course, submission, person_id, "12",
                                 note="Two days were travel.").status_code == 303
    finally:
        events.unsubscribe_reopened(listener)
    found = record(canvas_course, person_id)
    assert found is not None and found.state == "reopened" and found.approved_at is None
    assert len(reopened) == 1 and "from 22 to 12" in reopened[0].reason


def test_a_placement_withdrawn_from_credit_cannot_be_approved(canvas_course: School) -> None:
    set_policy(canvas_course)
    person_id, _ = _ready(canvas_course)
    teacher, registrar = canvas_course.instructor(), officer(canvas_course)
    decide(canvas_course, teacher, person_id)
    teacher.post(f"/course/placements/{canvas_course.placement_id}/credit/settings",
                 data={"credit_bearing": "no"})
    before = fingerprint(canvas_course.db)
    answer = registrar.post(
        f"/credit-office/placements/{canvas_course.placement_id}/students/{person_id}/decide",
        data={"decision": "approve"})
    assert answer.status_code == 409 and "does not bear credit" in answer.get_data(as_text=True)
    assert fingerprint(canvas_course.db) == before


def test_a_student_who_withdrew_from_the_course_cannot_be_approved(canvas_course: School) -> None:
    set_policy(canvas_course)
    person_id, _ = _ready(canvas_course)
    decide(canvas_course, canvas_course.instructor(), person_id)
    # The instructor's launch loaded the roster; the LMS now lists the student as withdrawn.
    member = canvas_course.db.scalar(select(RosterMember).where(
        RosterMember.placement_id == canvas_course.placement_id,
        RosterMember.user_sub == canvas_course.installed.student.user_id))
    assert member is not None
    member.status = "Deleted"
    canvas_course.db.commit()
    answer = officer(canvas_course).post(
        f"/credit-office/placements/{canvas_course.placement_id}/students/{person_id}/decide",
        data={"decision": "approve"})
    assert answer.status_code == 409 and "no longer active" in answer.get_data(as_text=True)
    found = record(canvas_course, person_id)
    assert found is not None and found.state == "recommended"


def test_without_a_credit_officer_the_recommendation_waits(canvas_course: School) -> None:
    set_policy(canvas_course)
    person_id, _ = _ready(canvas_course)
    teacher = canvas_course.instructor()
    page = teacher.get(f"/course/placements/{canvas_course.placement_id}/credit").get_data(as_text=True)
    assert "has no credit officer yet" in page and "<strong>wait</strong>" in page
    decide(canvas_course, teacher, person_id)
    found = record(canvas_course, person_id)
    assert found is not None and found.state == "recommended" and found.approved_at is None


def test_the_officer_returns_with_a_note_and_the_instructor_decides_again(canvas_course: School) -> None:
    set_policy(canvas_course)
    person_id, _ = _ready(canvas_course)
    teacher, registrar = canvas_course.instructor(), officer(canvas_course)
    decide(canvas_course, teacher, person_id)
    path = f"/credit-office/placements/{canvas_course.placement_id}/students/{person_id}/decide"
    assert registrar.post(path, data={"decision": "return", "note": ""}).status_code == 400
    assert registrar.post(path, data={"decision": "return",
                                      "note": "Which term is this for?"}).status_code == 303
    found = record(canvas_course, person_id)
    assert found is not None and found.state == "returned"
    assert "Which term is this for?" in teacher.get(
        f"/course/placements/{canvas_course.placement_id}/credit").get_data(as_text=True)
    assert registrar.post(path, data={"decision": "approve"}).status_code == 409  # not waiting
    assert decide(canvas_course, teacher, person_id).status_code == 303


def test_not_recommending_needs_a_reason_the_student_sees(canvas_course: School) -> None:
    set_policy(canvas_course)
    person_id, _ = _ready(canvas_course)
    teacher = canvas_course.instructor()
    assert decide(canvas_course, teacher, person_id, decision="decline").status_code == 400
    assert record(canvas_course, person_id) is None
    assert decide(canvas_course, teacher, person_id, decision="decline",
                  note="The hours were outside the term.").status_code == 303
    page = canvas_course.launch(canvas_course.installed.student).get(
        f"/work/{canvas_course.placement_id}").get_data(as_text=True)
    assert "Not recommended" in page and "The hours were outside the term." in page


def test_credit_is_not_recommended_before_its_conditions_hold(canvas_course: School) -> None:
    set_policy(canvas_course, minimum=90)
    teacher = canvas_course.instructor()
    make_credit_bearing(canvas_course, teacher)
    student, _ = graded(canvas_course, teacher)
    person_id = canvas_course.people[student.name].id
    answer = decide(canvas_course, teacher, person_id)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "below the policy" in text and "verified the student" in text and "reflection" in text
    assert record(canvas_course, person_id) is None


def test_the_reflection_comes_with_or_after_the_work(canvas_course: School) -> None:
    set_policy(canvas_course)
    student = canvas_course.student()
    early = reflect(canvas_course, student)
    assert early.status_code == 409 and "Hand in your work first" in early.get_data(as_text=True)
    canvas_course.submit(student)
    assert reflect(canvas_course, student).status_code == 303
    incomplete = student.post(f"/work/{canvas_course.placement_id}/reflection",
                              data={"what_i_did": "Things.", "skills_used": "", "what_i_learned": ""})
    assert incomplete.status_code == 400


def test_the_employer_verifies_only_work_shared_with_it(canvas_course: School) -> None:
    teacher = canvas_course.instructor()
    make_credit_bearing(canvas_course, teacher)
    student = canvas_course.student()
    canvas_course.submit(student)  # no consent, no anonymous sharing
    canvas_course.db.expire_all()
    submission = canvas_course.db.scalar(select(Submission))
    assert submission is not None
    person_id = canvas_course.people[student.name].id
    assert employer_verifies(canvas_course, submission, person_id, "10").status_code == 403
    assert employer_verifies(canvas_course, submission, 999_999, "10").status_code == 404
