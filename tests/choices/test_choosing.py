"""A choice of projects, end to end through real launches: students fill in a profile, see
the set ranked for them with reasons, rank; the instructor previews, adjusts and publishes;
students see their project, employers get an email; late joiners and withdrawals."""

from __future__ import annotations

import re

from sqlalchemy import select

from config.mail import OutgoingEmail
from grading.choices.models import AssignmentStatus, ChoiceAssignment
from tests.choices.harness import ChoiceSchool


def profile(student, **fields: str) -> None:  # type: ignore[no-untyped-def]
    data = {"hours_per_week": "", "interests": "", "career_goals": "", **fields}
    response = student.post("/work/profile", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]


def rank(school: ChoiceSchool, student, *titles: str) -> None:  # type: ignore[no-untyped-def]
    ids = school.option_ids()
    data = {f"rank-{ids[t]}": str(n) for n, t in enumerate(titles, start=1)}
    response = student.post(f"/work/choices/{school.placement_id}", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]


def assignment_of(school: ChoiceSchool, name: str) -> ChoiceAssignment:
    school.db.expire_all()
    person = school.people[name]
    row = school.db.scalar(select(ChoiceAssignment).where(ChoiceAssignment.person_id == person.id))
    assert row is not None
    return row


def test_students_rank_the_instructor_previews_and_publishes(chooser: ChoiceSchool) -> None:
    ana = chooser.launch(chooser.installed.student)
    landing = ana.get(f"/work/{chooser.placement_id}", follow_redirects=True)
    page = landing.get_data(as_text=True)
    assert landing.status_code == 200 and "Choose which project you would like to do" in page

    profile(ana, **{"skill-0": "excel", "level-0": "3", "skill-1": "SQL", "level-1": "2",
                    "hours_per_week": "6", "disciplines": "data"})
    page = ana.get(f"/work/choices/{chooser.placement_id}").get_data(as_text=True)
    # Ranked for her, best fit first, with the reason in words.
    assert page.index("Sales dashboard") < page.index("Brand survey")
    assert "Matches 2 of your 2 skills; fits your 6 h/week (5 h/week); you said you want data work." in page
    assert "needs 10 h/week, more than the 6 h/week you have left" in page  # the grant proposal

    brief = ana.get(f"/work/choices/{chooser.placement_id}/options/{chooser.option_ids()['Brand survey']}")
    assert brief.status_code == 200
    assert "The <strong>brief</strong> of Brand survey" in brief.get_data(as_text=True)

    rank(chooser, ana, "Sales dashboard", "Brand survey")
    ben = chooser.launch(chooser.add_student("Ben", "Okafor"))
    rank(chooser, ben, "Brand survey")
    cara = chooser.launch(chooser.add_student("Cara", "Silva"))
    cara.get(f"/work/choices/{chooser.placement_id}")  # opens, ranks nothing

    teacher = chooser.instructor()
    home = teacher.get("/course").get_data(as_text=True)
    assert "students choose from 3 projects" in home and "Grant proposal" not in home
    assert f"/course/choices/{chooser.placement_id}" in teacher.get(
        f"/work/{chooser.placement_id}/manage").headers["Location"]
    manage = teacher.get(f"/course/placements/{chooser.placement_id}", follow_redirects=True)
    assert "Projects and places" in manage.get_data(as_text=True)
    assert teacher.post(f"/course/choices/{chooser.placement_id}/preview").status_code == 303
    page = teacher.get(f"/course/choices/{chooser.placement_id}").get_data(as_text=True)
    assert "minimum-cost assignment" in page and re.search(r"seed <code>\d+</code>", page)
    assert "Sales dashboard was your first choice." in page
    assert "You did not rank any project, so you were placed by fit" in page

    # Students see nothing before publishing; then their project and why.
    assert "Your project" not in ana.get(f"/work/choices/{chooser.placement_id}").get_data(as_text=True)
    published = teacher.post(f"/course/choices/{chooser.placement_id}/publish")
    assert published.status_code == 303
    assert assignment_of(chooser, ana.name).status == "assigned"
    mine = ana.get(f"/work/choices/{chooser.placement_id}").get_data(as_text=True)
    assert "You were assigned <strong>Sales dashboard</strong>" in mine
    assert "Sales dashboard was your first choice." in mine
    cara_page = cara.get(f"/work/choices/{chooser.placement_id}").get_data(as_text=True)
    assert "You were placed by fit, not by a ranking of yours." in cara_page

    # Each employer with a student placed is told, without names.
    chooser.db.expire_all()
    emails = chooser.db.scalars(select(OutgoingEmail)).all()
    subjects = sorted(e.subject for e in emails)
    assert any("Sales dashboard" in s for s in subjects) and any("Brand survey" in s for s in subjects)
    assert all(ana.name not in e.body for e in emails)
    told = [e for e in emails if "will work on" in e.subject]
    assert told and all(e.kind == "students_assigned" and e.unsubscribe_url for e in told)
    assert all("You get this because you offer" in e.body for e in told)

    # The student's own project opens; another project of the set does not.
    options = chooser.option_ids()
    row = assignment_of(chooser, ana.name)
    assert row.option is not None
    assert ana.get(f"/work/{row.option.placement_id}").status_code == 200
    other = next(o for o in chooser.choice_set.options if o.id != row.option_id)
    assert ana.get(f"/work/{other.placement_id}").status_code == 403
    assert ana.post(f"/work/{other.placement_id}/start").status_code == 403
    assert set(options) == {"Sales dashboard", "Brand survey", "Grant proposal"}


def test_capacity_hours_and_a_full_set_put_students_on_the_waitlist(chooser: ChoiceSchool) -> None:
    students = [chooser.launch(chooser.add_student(f"S{i}", "Student")) for i in range(3)]
    for s in students:
        profile(s, hours_per_week="4")  # only the 4 h/week brand survey fits
        rank(chooser, s, "Sales dashboard", "Brand survey")
    teacher = chooser.instructor()
    teacher.post(f"/course/choices/{chooser.placement_id}/preview")
    teacher.post(f"/course/choices/{chooser.placement_id}/publish")
    rows = [assignment_of(chooser, s.name) for s in students]
    assigned = [r for r in rows if r.status == AssignmentStatus.ASSIGNED.value]
    assert len(assigned) == 1 and assigned[0].option is not None
    assert assigned[0].option.placement.title == "Brand survey"  # capacity 1
    waiting = [r for r in rows if r.status == AssignmentStatus.WAITLISTED.value]
    assert len(waiting) == 2
    waiting_student = students[rows.index(waiting[0])]
    page = waiting_student.get(f"/work/choices/{chooser.placement_id}").get_data(as_text=True)
    assert "You are on the waitlist." in page

    # Withdrawal frees the place for the first student waiting who can take it.
    holder = students[rows.index(assigned[0])]
    response = holder.post(f"/work/choices/{chooser.placement_id}/withdraw", data={"confirm": "yes"})
    assert response.status_code == 303
    after = [assignment_of(chooser, s.name) for s in students]
    assert sum(1 for r in after if r.status == AssignmentStatus.ASSIGNED.value) == 1
    assert after[rows.index(assigned[0])].status == AssignmentStatus.WITHDRAWN.value
    moved = next(r for r in after if r.status == AssignmentStatus.ASSIGNED.value)
    assert "you were next on the waitlist" in moved.reason


def test_a_student_who_joins_after_publishing_gets_an_open_place(chooser: ChoiceSchool) -> None:
    first = chooser.launch(chooser.installed.student)
    rank(chooser, first, "Brand survey")
    teacher = chooser.instructor()
    teacher.post(f"/course/choices/{chooser.placement_id}/preview")
    teacher.post(f"/course/choices/{chooser.placement_id}/publish")
    late = chooser.launch(chooser.add_student("Lou", "Late"))
    page = late.get(f"/work/choices/{chooser.placement_id}").get_data(as_text=True)
    assert "You joined after the assignment was published." in page
    row = assignment_of(chooser, late.name)
    assert row.status == AssignmentStatus.ASSIGNED.value and row.by_fit
    assert row.option is not None and row.option.placement.title != "Brand survey"  # that one is full


def test_the_instructor_moves_a_student_by_hand_within_the_rules(chooser: ChoiceSchool) -> None:
    ana = chooser.launch(chooser.installed.student)
    profile(ana, hours_per_week="6")
    rank(chooser, ana, "Brand survey")
    teacher = chooser.instructor()
    ids = chooser.option_ids()
    person_id = chooser.people[ana.name].id
    too_early = teacher.post(f"/course/choices/{chooser.placement_id}/adjust",
                             data={"person_id": person_id, "option_id": ids["Sales dashboard"]})
    assert too_early.status_code == 409
    teacher.post(f"/course/choices/{chooser.placement_id}/preview")
    over = teacher.post(f"/course/choices/{chooser.placement_id}/adjust",
                        data={"person_id": person_id, "option_id": ids["Grant proposal"]})
    assert over.status_code == 409 and "cannot take Grant proposal" in over.get_data(as_text=True)
    moved = teacher.post(f"/course/choices/{chooser.placement_id}/adjust",
                         data={"person_id": person_id, "option_id": ids["Sales dashboard"]})
    assert moved.status_code == 303
    row = assignment_of(chooser, ana.name)
    assert row.adjusted and row.option_id == ids["Sales dashboard"] and row.status == "proposed"


def test_bad_input_is_refused_with_a_message_and_nothing_saved(chooser: ChoiceSchool) -> None:
    ana = chooser.launch(chooser.installed.student)
    ids = chooser.option_ids()
    twice = ana.post(f"/work/choices/{chooser.placement_id}",
                     data={f"rank-{ids['Sales dashboard']}": "1", f"rank-{ids['Brand survey']}": "1"})
    assert twice.status_code == 422 and "You gave rank 1 to two projects" in twice.get_data(as_text=True)
    bad_profile = ana.post("/work/profile", data={"hours_per_week": "lots", "available_from": "2027-13-01"})
    assert bad_profile.status_code == 422
    text = bad_profile.get_data(as_text=True)
    assert "Hours a week: a whole number" in text and "Nothing was saved." in text
    teacher = chooser.instructor()
    assert teacher.post(f"/course/choices/{chooser.placement_id}/publish").status_code == 409
    limits = {f"seats-{oid}": "0" for oid in ids.values()}
    assert teacher.post(f"/course/choices/{chooser.placement_id}/seats", data=limits).status_code == 303
    assert teacher.post(f"/course/choices/{chooser.placement_id}/seats",
                        data={f"seats-{ids['Brand survey']}": "-3"}).status_code == 422
    rank(chooser, ana, "Brand survey")
    teacher.post(f"/course/choices/{chooser.placement_id}/preview")
    row = assignment_of(chooser, ana.name)
    assert row.option_id is None and "Every place in this set is taken" in row.reason
    assert teacher.post(f"/course/choices/{chooser.placement_id}/publish").status_code == 303
    assert assignment_of(chooser, ana.name).status == AssignmentStatus.WAITLISTED.value
    # Raising the limits after publishing gives the open places to the waitlist.
    assert teacher.post(f"/course/choices/{chooser.placement_id}/seats", data={}).status_code == 303
    row = assignment_of(chooser, ana.name)
    assert row.status == AssignmentStatus.ASSIGNED.value and row.option is not None
    assert row.option.placement.title == "Brand survey" and row.rank == 1
    lower = teacher.post(f"/course/choices/{chooser.placement_id}/seats",
                         data={f"seats-{ids['Brand survey']}": "0"})
    assert lower.status_code == 409 and "cannot go below" in lower.get_data(as_text=True)
    # Students cannot reach the instructor's pages, nor instructors rank as students.
    assert ana.post(f"/course/choices/{chooser.placement_id}/preview").status_code == 403
    assert teacher.post(f"/work/choices/{chooser.placement_id}",
                        data={f"rank-{ids['Brand survey']}": "1"}).status_code == 403

