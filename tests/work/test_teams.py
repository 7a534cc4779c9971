"""Teams: formed by the instructor from the roster (balanced, full, by hand) or joined by
students; a team submits once for all its members; each member's consent governs what the
employer sees of that member."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from config.settings import Settings
from grading.passback.models import ScoreOutbox
from grading.submissions.models import Submission
from grading.teams.models import Team, TeamMember
from tests.work.harness import School, school

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def teams_course(app: Flask, db: Session, settings: Settings, flavour: str) -> Iterator[School]:
    with school(db, settings, flavour, team_size=3) as built:
        yield built


def _roster(course: School, count: int) -> None:
    """``count`` learners in the LMS course (one more has dropped out), and the instructor
    presses "Refresh the roster", which caches the NRPS roster for the placement."""
    for i in range(count - 1):
        course.add_student(f"Learner{i}", "Example")
    gone = course.lms.add_user("Dropped", "Out", email="gone@example.edu")
    course.lms.enrol(course.installed.course, gone, "Learner", status="Inactive")
    refreshed = course.instructor().post(f"/course/placements/{course.placement_id}/roster")
    assert refreshed.status_code == 303 and "roster=ok" in refreshed.headers["Location"]


def _sizes(course: School) -> list[int]:
    course.db.expire_all()
    return sorted((len(t.members) for t in course.db.scalars(select(Team))), reverse=True)


@pytest.mark.parametrize(("mode", "sizes"), [("balanced", [3, 2, 2]), ("full", [3, 3, 1])])
def test_the_instructor_forms_teams_from_the_roster(
    teams_course: School, mode: str, sizes: list[int]
) -> None:
    _roster(teams_course, 7)
    teacher = teams_course.instructor()

    before = teacher.get(f"/work/{teams_course.placement_id}/manage").get_data(as_text=True)
    assert "Not in a team (7)" in before and "Dropped Out" not in before
    teacher.post(f"/work/{teams_course.placement_id}/manage/teams/auto", data={"mode": mode})

    assert _sizes(teams_course) == sizes
    after = teacher.get(f"/work/{teams_course.placement_id}/manage").get_data(as_text=True)
    assert "Not in a team (0)" in after


def test_the_instructor_moves_people(teams_course: School) -> None:
    _roster(teams_course, 4)
    teacher = teams_course.instructor()
    teacher.post(f"/work/{teams_course.placement_id}/manage/teams/auto", data={"mode": "balanced"})
    teams_course.db.expire_all()
    first, second = teams_course.db.scalars(select(Team).order_by(Team.id)).all()
    mover = first.members[0].person_id

    teacher.post(f"/work/{teams_course.placement_id}/manage/teams/move",
                 data={"person_id": mover, "team_id": second.id})
    assert _sizes(teams_course) == [3, 1]
    teacher.post(f"/work/{teams_course.placement_id}/manage/teams/move",
                 data={"person_id": mover, "team_id": ""})
    assert _sizes(teams_course) == [2, 1]


def test_students_join_open_teams_with_room(teams_course: School) -> None:
    ada = teams_course.student()
    ada.post(f"/work/{teams_course.placement_id}/team/new")
    team = teams_course.db.scalar(select(Team))
    assert team is not None
    others = [teams_course.student(teams_course.add_student(n, "Example")) for n in ("Bo", "Cy", "Di")]

    for other in others[:2]:
        assert other.post(f"/work/{teams_course.placement_id}/team/join/{team.id}").status_code == 303
    full = others[2].post(f"/work/{teams_course.placement_id}/team/join/{team.id}")

    assert full.status_code == 409 and "is full" in full.get_data(as_text=True)
    assert _sizes(teams_course) == [3]
    page = others[0].get(f"/work/{teams_course.placement_id}").get_data(as_text=True)
    assert "Ada Lovelace" in page and "Leave Team 1" in page


def test_a_student_must_be_in_a_team_to_submit(teams_course: School) -> None:
    ada = teams_course.student()
    page = ada.get(f"/work/{teams_course.placement_id}").get_data(as_text=True)
    assert "Join a team to submit" in page and 'name="form_token"' not in page


def test_a_team_submits_once_for_all_its_members(teams_course: School) -> None:
    ada = teams_course.student()
    ada.post(f"/work/{teams_course.placement_id}/team/new")
    team = teams_course.db.scalar(select(Team))
    assert team is not None
    bo_user = teams_course.add_student("Bo", "Example")
    bo = teams_course.student(bo_user)
    bo.post(f"/work/{teams_course.placement_id}/team/join/{team.id}")

    teams_course.submit(ada, text="Our team report")

    teams_course.db.expire_all()
    [submission] = teams_course.db.scalars(select(Submission)).all()
    assert submission.team_id == team.id and len(submission.member_ids) == 2
    assert "Our team report" in bo.get(f"/work/submissions/{submission.id}").get_data(as_text=True)
    assert "Attempt 1" in bo.get(f"/work/{teams_course.placement_id}").get_data(as_text=True)
    rows = teams_course.db.scalars(select(ScoreOutbox)).all()
    expected = sorted([teams_course.installed.student.user_id, bo_user.user_id])
    assert sorted(r.user_sub for r in rows) == expected
    for user in (teams_course.installed.student, bo_user):
        [post] = teams_course.lms.score_posts(teams_course.item, user)
        assert post.body["activityProgress"] == "Submitted"


def test_each_members_consent_governs_what_the_employer_sees(teams_course: School) -> None:
    ada = teams_course.student()
    ada.post(f"/work/{teams_course.placement_id}/team/new")
    team = teams_course.db.scalar(select(Team))
    assert team is not None
    bo = teams_course.student(teams_course.add_student("Bo", "Brummell"))
    bo.post(f"/work/{teams_course.placement_id}/team/join/{team.id}")
    teams_course.submit(ada, text="Our team report", files=[(PDF, "ada-and-bo.pdf")])
    ada.post(f"/work/{teams_course.placement_id}/consent",
             data={"records": ["work"], "signature": "Ada Lovelace"})
    reviewer = teams_course.reviewer()
    submission = teams_course.db.scalar(select(Submission))
    assert submission is not None

    page = reviewer.get(f"/employer/reviews/{submission.id}").get_data(as_text=True)
    assert "Ada Lovelace" in page and "Brummell" not in page
    assert "Our team report" not in page  # Bo has not shared the work in any way

    bo.post(f"/work/{teams_course.placement_id}/sharing", data={"share": "yes"})
    page = reviewer.get(f"/employer/reviews/{submission.id}").get_data(as_text=True)
    assert "Our team report" in page and "Ada Lovelace" in page and "Brummell" not in page
    assert "ada-and-bo.pdf" not in page  # one member is anonymous: file names are hidden
    assert len(teams_course.db.scalars(select(TeamMember)).all()) == 2
