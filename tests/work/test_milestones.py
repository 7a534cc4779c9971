"""Milestones with check-ins, and hours against the estimate."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from grading.milestones.models import CheckIn, HoursEntry, Milestone
from tests.work.harness import School


def test_students_check_in_on_the_instructors_milestones(canvas_course: School) -> None:
    teacher = canvas_course.instructor()
    teacher.post(f"/work/{canvas_course.placement_id}/manage/milestones",
                 data={"title": "Interview three café owners", "due": "2030-03-01T12:00"})
    milestone = canvas_course.db.scalar(select(Milestone))
    assert milestone is not None and milestone.due_at is not None
    student = canvas_course.student()

    page = student.get(f"/work/{canvas_course.placement_id}").get_data(as_text=True)
    assert "Interview three café owners" in page
    student.post(f"/work/{canvas_course.placement_id}/milestones/{milestone.id}/check-in",
                 data={"text": "Two interviews done."})
    student.post(f"/work/{canvas_course.placement_id}/milestones/{milestone.id}/check-in",
                 data={"text": "All three done."})

    assert [c.text for c in canvas_course.db.scalars(select(CheckIn))] == ["All three done."]
    overview = teacher.get(f"/work/{canvas_course.placement_id}/manage").get_data(as_text=True)
    assert "Ada Lovelace: All three done." in overview


def test_hours_are_totalled_against_the_estimate(canvas_course: School) -> None:
    student = canvas_course.student()
    today = date.today()
    for day, hours in ((today - timedelta(days=1), "3.5"), (today, "1,5")):
        logged = student.post(f"/work/{canvas_course.placement_id}/hours",
                              data={"day": day.isoformat(), "hours": hours, "note": "research"})
        assert logged.status_code == 303

    assert sorted(str(h.hours) for h in canvas_course.db.scalars(select(HoursEntry))) == ["1.50", "3.50"]
    assert "<strong>5.00</strong> hours of about 20" in student.get(
        f"/work/{canvas_course.placement_id}").get_data(as_text=True)
    teacher = canvas_course.instructor()
    overview = teacher.get(f"/work/{canvas_course.placement_id}/manage").get_data(as_text=True)
    assert "<td>Ada Lovelace</td><td>5.00</td><td>25%</td>" in overview


def test_impossible_hours_are_refused(canvas_course: School) -> None:
    student = canvas_course.student()
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    for data in ({"day": tomorrow, "hours": "2"}, {"day": date.today().isoformat(), "hours": "25"},
                 {"day": date.today().isoformat(), "hours": "lots"}, {"day": "yesterday", "hours": "1"}):
        assert student.post(f"/work/{canvas_course.placement_id}/hours", data=data).status_code == 400
    assert canvas_course.db.scalar(select(HoursEntry)) is None


def test_learners_cannot_manage_the_placement(canvas_course: School) -> None:
    student = canvas_course.student()
    assert student.get(f"/work/{canvas_course.placement_id}/manage").status_code == 403
    assert student.post(f"/work/{canvas_course.placement_id}/manage/milestones",
                        data={"title": "Hack"}).status_code == 403
