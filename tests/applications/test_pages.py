"""Applications through the pages: the instructor requires them, a student applies inside the
LMS (refused after the deadline), the employer is told by mail and judges blind in the portal,
and a declined student reads kind words on the project's page."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.mail import OutgoingEmail
from grading.applications.models import Application, ApplicationCall
from tests.choices.harness import TODAY, ChoiceSchool
from tests.work.harness import LaunchedUser

ANSWER = {"skills_used": "Survey design for our student union", "motivation": "I want research work",
          "hours_per_week": "5"}


def require(school: ChoiceSchool, option_id: int, *, apply_by: str, select_by: str) -> int:
    teacher = school.launch(school.installed.instructor)
    return teacher.post(f"/course/choices/{school.placement_id}/options/{option_id}/applications",
                        {"apply_by": apply_by, "select_by": select_by}).status_code


def applicant(school: ChoiceSchool, given: str) -> LaunchedUser:
    return school.launch(school.add_student(given, "Tester"))


def test_a_student_applies_and_the_employer_judges_blind(chooser: ChoiceSchool, db: Session) -> None:
    survey = chooser.option_ids()["Brand survey"]
    assert require(chooser, survey, apply_by=(TODAY - timedelta(days=1)).isoformat(),
                   select_by=TODAY.isoformat()) == 303
    assert require(chooser, survey, apply_by=TODAY.isoformat(),
                   select_by=(TODAY - timedelta(days=1)).isoformat()) == 422  # nothing changed
    db.expire_all()
    call = db.scalar(select(ApplicationCall).where(ApplicationCall.option_id == survey))
    assert call is not None and call.apply_by == TODAY - timedelta(days=1)

    ana = applicant(chooser, "Zelda")
    brief = f"/work/choices/{chooser.placement_id}/options/{survey}"
    late = ana.post(brief + "/apply", ANSWER)
    assert late.status_code == 409 and "closed on" in late.get_data(as_text=True)
    assert db.scalar(select(Application)) is None

    assert require(chooser, survey, apply_by=TODAY.isoformat(), select_by=TODAY.isoformat()) == 303
    assert "Which of the project" in ana.get(brief).get_data(as_text=True)
    assert ana.post(brief + "/apply", {**ANSWER, "motivation": " "}).status_code == 422
    assert ana.post(brief + "/apply", ANSWER).status_code == 303
    assert ana.post(brief + "/apply", {**ANSWER, "hours_per_week": "6"}).status_code == 303  # edited
    db.expire_all()
    rows = db.scalars(select(Application)).all()
    assert [(r.hours_per_week, r.status) for r in rows] == [(6.0, "submitted")]
    told = db.scalars(select(OutgoingEmail).where(OutgoingEmail.kind == "applications_waiting")).all()
    assert len(told) == 1 and f"/employer/applications/{survey}" in told[0].body  # once, not per edit

    employer = chooser.employers[1] if chooser.employers else None
    assert employer is not None
    portal = chooser.reviewer(employer)
    page = portal.get(f"/employer/applications/{survey}").get_data(as_text=True)
    assert "Survey design for our student union" in page
    assert "Zelda" not in page and "zelda@example.edu" not in page
    assert "Brand survey" in portal.get("/employer/applications/").get_data(as_text=True)

    stranger = chooser.reviewer(chooser.employers[0])  # another employer's member
    assert stranger.get(f"/employer/applications/{survey}").status_code == 404

    decided = portal.post(f"/employer/applications/{survey}", {f"decision_{rows[0].id}": "accepted"})
    assert decided.status_code == 303
    page = portal.get(f"/employer/applications/{survey}").get_data(as_text=True)
    assert "Zelda" not in page  # selected, but she has not consented to share her name

    declined = portal.post(f"/employer/applications/{survey}", {f"decision_{rows[0].id}": "declined"})
    assert declined.status_code == 303
    assert "Thank you for applying" in ana.get(brief).get_data(as_text=True)
    choices_page = ana.get(f"/work/choices/{chooser.placement_id}").get_data(as_text=True)
    assert "The employer chose other applicants this time" in choices_page
    # Zelda has no profile, so no project fits her by skills: she is told what happens next.
    assert "Your other choices still count" in choices_page


def test_the_instructor_sees_the_fallback_by_fit(chooser: ChoiceSchool, db: Session) -> None:
    survey = chooser.option_ids()["Brand survey"]
    assert require(chooser, survey, apply_by=TODAY.isoformat(), select_by=TODAY.isoformat()) == 303
    page = chooser.launch(chooser.installed.instructor).get(f"/course/choices/{chooser.placement_id}")
    text = page.get_data(as_text=True)
    assert ("Brand survey: the employer has selected nobody yet, so the assignment fills its places "
            "by fit") in text
