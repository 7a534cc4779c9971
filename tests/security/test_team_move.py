"""H1: an instructor moves only people of their own placement into its teams, and a team
never grows past the placement's team size, whoever fills it."""

from __future__ import annotations

from sqlalchemy import func, select

from grading.consent.models import Participation
from grading.people.models import Person
from grading.teams.models import Team, TeamMember
from tests.security.world import Course, World


def _move(course: Course, person_id: int, team_id: int) -> int:
    return course.instructor.post(f"/work/{course.placement_id}/manage/teams/move",
                                  data={"person_id": str(person_id), "team_id": str(team_id)}).status_code


def _pages(course: Course) -> bytes:
    pid = course.placement_id
    return b"".join(course.instructor.get(path).get_data() for path in (
        f"/work/{pid}/manage", f"/course/placements/{pid}", f"/course/placements/{pid}/learners.csv"))


def _rows(world: World) -> tuple[int, int]:
    world.db.expire_all()
    return (world.db.scalar(select(func.count()).select_from(TeamMember)) or 0,
            world.db.scalar(select(func.count()).select_from(Participation)) or 0)


def test_a_student_of_another_institution_cannot_be_pulled_into_a_team(tenants: World) -> None:
    victim = tenants.tenants["a"].courses[0]
    intruder = tenants.tenants["b"].courses[0]
    before = _rows(tenants)

    assert _move(intruder, victim.waiting.id, intruder.team.id) == 404

    assert _rows(tenants) == before
    shown = _pages(intruder)
    for marker in (victim.waiting.name, victim.waiting.email, victim.waiting.sub):
        assert marker.encode() not in shown


def test_a_student_of_another_course_on_the_same_lms_cannot_be_pulled_in(tenants: World) -> None:
    victim = tenants.tenants["a"].courses[0]
    intruder = tenants.tenants["a"].courses[1]
    before = _rows(tenants)

    assert _move(intruder, victim.waiting.id, intruder.team.id) == 404

    assert _rows(tenants) == before
    assert victim.waiting.name.encode() not in _pages(intruder)


def test_the_instructor_moves_roster_members_but_not_past_the_team_size(tenants: World) -> None:
    course = tenants.tenants["a"].courses[0]
    db = tenants.db
    # Someone on the course roster (NRPS) who has never opened the project: the instructor's
    # roster refresh brings them in.
    lms = course.school.lms
    rostered = lms.add_user("Rosalind", "Rostered", email="rosalind@aldergrove.example")
    lms.enrol(course.school.installed.course, rostered, "Learner")
    assert course.instructor.post(f"/course/placements/{course.placement_id}/roster").status_code == 303
    assert b"Rosalind Rostered" in course.instructor.get(f"/work/{course.placement_id}/manage").get_data()
    db.expire_all()
    newcomer = db.scalar(select(Person).where(Person.sub == rostered.user_id))
    assert newcomer is not None

    # The team (size 2) has one member, the learner who started it: one more fills it.
    assert _move(course, course.waiting.id, course.team.id) == 303
    answer = course.instructor.post(f"/work/{course.placement_id}/manage/teams/move",
                                    data={"person_id": str(newcomer.id), "team_id": str(course.team.id)})
    assert answer.status_code == 409
    assert b"is full" in answer.get_data()
    db.expire_all()
    members = db.scalars(select(TeamMember.person_id).where(TeamMember.team_id == course.team.id)).all()
    assert len(members) == 2 and course.waiting.id in members and newcomer.id not in members

    # Out of the team, the rostered learner can be put in a new one.
    assert course.instructor.post(f"/work/{course.placement_id}/manage/teams/new",
                                  data={"open": "no"}).status_code == 303
    db.expire_all()
    fresh = db.scalar(select(Team.id).where(Team.placement_id == course.placement_id)
                      .order_by(Team.id.desc()))
    assert fresh is not None and _move(course, newcomer.id, fresh) == 303
