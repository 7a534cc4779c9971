"""Badges on completion, for a placement that does not bear credit: the rule (what completes
the work, what a new release does to a badge) and the journey through the live tool (the
instructor turns badges on, a grade is released, the student's badge appears and verifies;
a re-release replaces it; a release heard twice issues once)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from joserfc import jwt as rfc_jwt
from sqlalchemy import select

from config import runtime
from grading.credentials import completion, service
from grading.credentials.completion import Action, Completion
from grading.credentials.models import Credential
from grading.credit.models import PlacementCredit
from grading.reviews import events as review_events
from grading.reviews.models import GradeRelease
from tests.credit.flow import graded, make_credit_bearing, set_policy
from tests.work.harness import LaunchedUser, School

from .ob3 import check
from .test_issue import key_set

# -- the rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("grade", "on", "roster", "expected"), [
    ("60", True, True, True),       # exactly the policy's minimum completes it
    ("59.99", True, True, False),   # a released grade below it does not
    ("100", False, True, False),    # badges off: nobody earns one
    ("95", True, False, False),     # the student left the course
])
def test_completion_is_a_released_grade_at_the_policys_minimum(
        grade: str, on: bool, roster: bool, expected: bool) -> None:
    assert completion.completed(Completion(badges_on=on, grade_percent=Decimal(grade),
                                           minimum_grade_percent=Decimal(60),
                                           on_roster=roster)) is expected


@pytest.mark.parametrize(("on", "earns", "badge", "grade", "expected"), [
    (True, True, None, "80", Action.ISSUE),
    (True, False, None, "40", Action.NOTHING),
    (True, True, "80", "80", Action.KEEP),       # released again at the same grade
    (True, True, "80", "90", Action.REISSUE),    # a new grade: revoke, issue one that says it
    (True, False, "80", "40", Action.REVOKE),    # the new grade no longer completes the work
    (False, True, "80", "90", Action.KEEP),      # switched off: nothing taken back
    (False, True, None, "90", Action.NOTHING),
])
def test_what_a_release_does_to_the_badge(on: bool, earns: bool, badge: str | None, grade: str,
                                          expected: Action) -> None:
    assert completion.action(badges_on=on, earns=earns, grade=Decimal(grade),
                             badge_grade=Decimal(badge) if badge else None) is expected


# -- through the live tool --------------------------------------------------------------------


def base() -> str:
    return runtime.current().settings.base_url


def badges_on(course: School, teacher: LaunchedUser, on: bool = True) -> str:
    answer = teacher.post(f"/course/placements/{course.placement_id}/credit/settings",
                          data={"credit_bearing": "no", **({"badge_on_completion": "on"} if on
                                                           else {})})
    assert answer.status_code == 303
    return teacher.get(answer.headers["Location"]).get_data(as_text=True)


def credentials(course: School) -> list[Credential]:
    course.db.expire_all()
    return list(course.db.scalars(select(Credential).order_by(Credential.id)))


def test_the_instructor_sees_what_the_setting_means(canvas_course: School) -> None:
    teacher = canvas_course.instructor()
    page = teacher.get(f"/course/placements/{canvas_course.placement_id}/credit").get_data(
        as_text=True)
    assert "Issue a badge on completion" in page and "not credit-bearing" in page
    assert 'name="badge_on_completion" value="on" aria' in page  # unchecked: off by default
    page = badges_on(canvas_course, teacher)
    assert 'name="badge_on_completion" value="on" checked' in page
    # A credit-bearing placement issues on approval: the switch does not stick there.
    teacher.post(f"/course/placements/{canvas_course.placement_id}/credit/settings",
                 data={"credit_bearing": "yes", "credits": "3", "badge_on_completion": "on"})
    canvas_course.db.expire_all()
    settings = canvas_course.db.scalar(select(PlacementCredit))
    assert settings is not None and settings.credit_bearing and not settings.badge_on_completion


def test_a_released_grade_issues_a_badge_the_student_sees_and_anyone_verifies(
        canvas_course: School) -> None:
    set_policy(canvas_course, minimum=60)
    teacher = canvas_course.instructor()
    badges_on(canvas_course, teacher)
    student, _ = graded(canvas_course, teacher)  # the instructor releases 80%

    [badge] = credentials(canvas_course)
    release = canvas_course.db.scalars(select(GradeRelease)).one()
    assert badge.source_release_id == release.id and badge.source_step_id is None
    assert badge.person_id == canvas_course.people[student.name].id
    token = rfc_jwt.decode(badge.jwt, key_set(canvas_course), algorithms=["RS256"])
    vc = token.claims["vc"]
    assert check(vc) == []
    subject = vc["credentialSubject"]
    assert [r["value"] for r in subject["result"]] == ["80%"]  # nobody verified hours
    assert "creditsEarned" not in subject
    assert "at least 60%" in subject["achievement"]["criteria"]["narrative"]
    assert "does not bear academic credit" in subject["achievement"]["criteria"]["narrative"]

    page = student.get("/work/credentials").get_data(as_text=True)
    assert vc["name"] in page and "for completing the project" in page
    assert "Issued to you only" not in page  # the student consented
    visitor = canvas_course.app.test_client()
    answer = visitor.get("/credentials/verify.json", query_string={"credential": badge.jwt})
    assert answer.get_json()["valid"] is True, answer.get_json()


def test_a_release_heard_twice_issues_once_and_a_new_grade_replaces_the_badge(
        canvas_course: School) -> None:
    set_policy(canvas_course, minimum=60)
    teacher = canvas_course.instructor()
    badges_on(canvas_course, teacher)
    student, submission = graded(canvas_course, teacher)
    [first] = credentials(canvas_course)
    release = canvas_course.db.scalars(select(GradeRelease)).one()
    heard = review_events.GradeReleased(
        release_id=release.id, placement_id=release.placement_id, person_ids=[first.person_id],
        score_given=release.score_given, score_maximum=release.score_maximum,
        released_at=release.released_at)
    review_events.grade_released(canvas_course.db, heard)
    review_events.grade_released(canvas_course.db, heard)
    canvas_course.db.commit()
    assert [c.id for c in credentials(canvas_course)] == [first.id]

    path = f"/reviews/placements/{canvas_course.placement_id}/submissions/{submission.id}/approve"
    maximum = release.score_maximum
    adjusted = teacher.post(path, data={"score": f"{maximum * 0.9:g}",
                                        "reason": "The summary was fixed in review."})
    assert adjusted.status_code == 303
    old, new = credentials(canvas_course)
    assert old.id == first.id and old.revoked and "90% replaces 80%" in old.revoked_reason
    assert not new.revoked
    assert service.payload(new)["credentialSubject"]["result"][0]["value"] == "90%"
    assert service.verify(canvas_course.db, old.jwt, base_url=base()).status == "revoked"
    assert service.verify(canvas_course.db, new.jwt, base_url=base()).valid

    below = teacher.post(path, data={"score": f"{maximum * 0.3:g}", "reason": "Plagiarised part."})
    assert below.status_code == 303
    assert all(c.revoked for c in credentials(canvas_course)) and len(
        credentials(canvas_course)) == 2
    page = student.get("/work/credentials").get_data(as_text=True)
    assert page.count("Revoked on") == 2


def test_a_grade_below_the_minimum_completes_nothing(canvas_course: School) -> None:
    set_policy(canvas_course, minimum=90)
    teacher = canvas_course.instructor()
    badges_on(canvas_course, teacher)
    graded(canvas_course, teacher)  # 80%
    assert credentials(canvas_course) == []


def test_no_badge_without_the_switch_or_on_a_credit_bearing_placement(
        canvas_course: School) -> None:
    set_policy(canvas_course)
    teacher = canvas_course.instructor()
    assert make_credit_bearing(canvas_course, teacher).status_code == 303
    graded(canvas_course, teacher)
    assert credentials(canvas_course) == []  # credit-bearing: the badge waits for approval


def test_turning_badges_on_later_issues_them_to_the_student_only_after_withdrawal(
        canvas_course: School) -> None:
    set_policy(canvas_course, minimum=60)
    teacher = canvas_course.instructor()
    student, _ = graded(canvas_course, teacher)
    assert credentials(canvas_course) == []
    consenting = student.get(f"/work/{canvas_course.placement_id}/consent").get_data(as_text=True)
    assert "not a disclosure" in consenting and "After you withdraw, it is issued to you alone" \
        in consenting
    assert student.post(f"/work/{canvas_course.placement_id}/consent/withdraw").status_code == 303
    consent_page = student.get(f"/work/{canvas_course.placement_id}/consent").get_data(
        as_text=True)
    assert "issued to you alone" in consent_page and "not a disclosure" in consent_page

    badges_on(canvas_course, teacher)
    [badge] = credentials(canvas_course)
    assert badge.recipient_only
    mine = student.get("/work/credentials").get_data(as_text=True)
    assert "Issued to you only." in mine and "not a disclosure of you" in mine
    employer = service.payload(badge)["credentialSubject"]["achievement"]["description"]
    assert mine.count("Issued to you only.") == 1 and employer
    badges_on(canvas_course, teacher)  # saved again: nothing new
    assert len(credentials(canvas_course)) == 1
