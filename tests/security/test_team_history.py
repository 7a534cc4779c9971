"""L7: an attempt is part of the education records of the people it was submitted for. A
learner who joins a team later does not see (or download) what the team handed in before,
nor the grade and feedback it got; the members who made it still do."""

from __future__ import annotations

from tests.security.world import World


def test_joining_a_team_does_not_open_its_earlier_attempts(tenants: World) -> None:
    course = tenants.tenants["a"].courses[0]
    pid, earlier = course.placement_id, course.submission
    newcomer = course.waiting_launch
    assert newcomer.post(f"/work/{pid}/team/join/{course.team.id}").status_code == 303

    page = newcomer.get(f"/work/{pid}").get_data(as_text=True)
    assert course.team.name in page  # they are in the team now
    assert f"/work/submissions/{earlier.id}" not in page
    assert "Well argued" not in page  # the grade's feedback for the earlier members
    assert newcomer.get(f"/work/submissions/{earlier.id}").status_code == 404
    assert newcomer.get(f"/work/submissions/{earlier.id}/files/{course.file.id}").status_code == 404

    # The learner who made the attempt still sees it, and its feedback.
    assert course.student.get(f"/work/submissions/{earlier.id}").status_code == 200
    assert "Well argued" in course.student.get(f"/work/{pid}").get_data(as_text=True)
