"""The hard rules with real rows: capacity per institution across courses, teams inside a
team project, a window that has ended, and the instructor's view of students over their
hours. Rows are arranged directly; the service functions are the ones the pages call."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.projects.models import ProjectRevision
from config.settings import Settings
from grading.choices import assign
from grading.choices import service as choices
from grading.choices.models import AssignmentStatus, ChoiceAssignment, ChoiceSet
from grading.consent.service import ensure_participation
from grading.people.models import Person
from grading.profiles.models import StudentProfile
from grading.teams.models import Team, TeamMember
from tests.choices.harness import TODAY, ChoiceSchool, choice_course, place_set
from tests.work.harness import School, school

WEEKS = {"starts": TODAY, "ends": TODAY + timedelta(days=41)}


def student(school: ChoiceSchool, name: str, *, hours: int | None = None) -> Person:
    user = school.add_student(name, "Tester")
    person = Person(platform_id=school.installed.row_id, sub=user.user_id, name=f"{name} Tester")
    school.db.add(person)
    school.db.flush()
    ensure_participation(school.db, placement=school.placed.placement, person=person)
    if hours is not None:
        school.db.add(StudentProfile(person_id=person.id, hours_per_week=hours))
    school.db.commit()
    return person


def the_set(db: Session, placement_id: int) -> ChoiceSet:
    db.expire_all()
    found = db.scalar(select(ChoiceSet).where(ChoiceSet.placement_id == placement_id))
    assert found is not None
    return found


def rank(db: Session, choice_set: ChoiceSet, person: Person, *titles: str) -> None:
    ids = {o.placement.title: o.id for o in choice_set.options}
    choices.save_ranks(db, choice_set=choice_set, person_id=person.id, option_ids=[ids[t] for t in titles])
    db.commit()


def got(db: Session, choice_set: ChoiceSet, person: Person) -> ChoiceAssignment:
    row = db.scalar(select(ChoiceAssignment).where(ChoiceAssignment.choice_set_id == choice_set.id,
                                                   ChoiceAssignment.person_id == person.id))
    assert row is not None
    return row


@pytest.fixture
def single_course(app: Flask, db: Session, settings: Settings) -> Iterator[School]:
    with school(db, settings, "canvas") as built:
        yield built


@pytest.fixture
def teams_course(app: Flask, db: Session, settings: Settings) -> Iterator[ChoiceSchool]:
    projects = [
        {"title": "Team study", "skills": ("Excel",), "hours": 12, "capacity": 1, "team_size": 2, **WEEKS},
        {"title": "Finished study", "skills": ("Excel",), "hours": 12, "capacity": 9,
         "starts": TODAY - timedelta(days=60), "ends": TODAY - timedelta(days=1)},
    ]
    with choice_course(db, settings, projects) as built:
        yield built


def test_capacity_holds_across_the_courses_of_an_institution(chooser: ChoiceSchool, db: Session) -> None:
    first = the_set(db, chooser.placement_id)
    ana = student(chooser, "Ana")
    rank(db, first, ana, "Brand survey")  # capacity 1
    assign.preview(db, choice_set=first, today=TODAY, seed=1)
    assign.publish(db, choice_set=first, by_person_id=None)
    db.commit()

    anchor, _ = place_set(db, chooser, chooser.employers or [], title="Another section's choice")
    second = the_set(db, anchor.id)
    ben = student(chooser, "Ben")
    rank(db, second, ben, "Brand survey")
    assign.preview(db, choice_set=second, today=TODAY, seed=1)
    db.commit()
    row = got(db, the_set(db, anchor.id), ben)
    assert row.option is not None and row.option.placement.title != "Brand survey"
    assert row.by_fit


def test_a_team_project_takes_capacity_in_teams_and_forms_them(
    teams_course: ChoiceSchool, db: Session
) -> None:
    choice_set = the_set(db, teams_course.placement_id)
    people = [student(teams_course, name) for name in ("Ana", "Ben", "Cy")]
    for person in people:
        rank(db, choice_set, person, "Team study", "Finished study")
    assign.preview(db, choice_set=choice_set, today=TODAY, seed=4)
    assign.publish(db, choice_set=choice_set, by_person_id=None)
    db.commit()
    choice_set = the_set(db, teams_course.placement_id)
    rows = [got(db, choice_set, p) for p in people]
    placed = [r for r in rows if r.status == AssignmentStatus.ASSIGNED.value]
    assert len(placed) == 2  # one team of two
    assert all(r.option is not None and r.option.placement.title == "Team study" for r in placed)
    # Nobody is placed on the project whose dates have ended, not even by fit.
    assert [r.status for r in rows if r not in placed] == [AssignmentStatus.WAITLISTED.value]
    team_option = placed[0].option
    assert team_option is not None
    teams = db.scalars(select(Team).where(Team.placement_id == team_option.placement_id)).all()
    assert len(teams) == 1
    members = {m.person_id for m in db.scalars(select(TeamMember).where(TeamMember.team_id == teams[0].id))}
    assert members == {r.person_id for r in placed}


def test_the_instructor_sees_students_over_their_hours(chooser: ChoiceSchool, db: Session) -> None:
    choice_set = the_set(db, chooser.placement_id)
    ana = student(chooser, "Ana", hours=6)
    rank(db, choice_set, ana, "Sales dashboard")  # 5 h/week
    assign.preview(db, choice_set=choice_set, today=TODAY, seed=2)
    assign.publish(db, choice_set=choice_set, by_person_id=None)
    db.commit()
    profile = db.scalar(select(StudentProfile).where(StudentProfile.person_id == ana.id))
    assert profile is not None
    profile.hours_per_week = 3  # she now has less time than her project needs
    db.commit()
    teacher = chooser.instructor()
    page = teacher.get(f"/course/choices/{chooser.placement_id}").get_data(as_text=True)
    section = page.split("Students over their stated hours")[1]
    assert "Ana Tester: 5 h/week across active projects, 3 stated" in section


def test_a_student_is_warned_before_starting_a_project_over_their_hours(
    single_course: School, db: Session
) -> None:
    revision = db.get(ProjectRevision, single_course.placed.employer.revision.id)
    assert revision is not None
    revision.estimated_hours = 400  # about 3.8 h/week over its two-year window
    student_launch = single_course.launch(single_course.installed.student)
    person = single_course.people[student_launch.name]
    db.add(StudentProfile(person_id=person.id, hours_per_week=1))
    db.commit()
    page = student_launch.get(f"/work/{single_course.placement_id}").get_data(as_text=True)
    assert "that is more than the 1 h/week you said you have" in page
    profile = db.scalar(select(StudentProfile).where(StudentProfile.person_id == person.id))
    assert profile is not None
    profile.hours_per_week = 40
    db.commit()
    page = student_launch.get(f"/work/{single_course.placement_id}").get_data(as_text=True)
    assert "of your 40 h/week" in page and "more than the" not in page


def test_an_employer_never_sees_a_students_profile(single_course: School, db: Session) -> None:
    learner = single_course.student()
    person = single_course.people[learner.name]
    db.add(StudentProfile(person_id=person.id, career_goals="I want to become a data journalist",
                          interests=["investigative reporting"], hours_per_week=7))
    db.commit()
    assert learner.post(f"/work/{single_course.placement_id}/consent", data={
        "records": ["email", "work", "feedback"], "signature": learner.name}).status_code == 303
    assert single_course.submit(learner).status_code == 303
    reviewer = single_course.reviewer()
    inbox = reviewer.get("/employer/reviews/")
    links = re.findall(r'href="(/employer/reviews/\d+)"', inbox.get_data(as_text=True))
    assert links, "the consented submission is in the employer's inbox"
    pages = [inbox, *(reviewer.get(link) for link in links)]
    assert any("My analysis of the café market." in p.get_data(as_text=True) for p in pages)
    for page in pages:
        text = page.get_data(as_text=True)
        assert "data journalist" not in text and "investigative reporting" not in text
