"""The student's project page inside the LMS: what it shows, Start, and whose it is."""

from __future__ import annotations

from tests.work.harness import School


def test_a_launch_finds_the_project_of_its_link(course: School) -> None:
    student = course.launch(course.installed.student)

    landing = student.get("/work")
    assert landing.status_code == 303
    assert landing.headers["Location"].startswith(f"/work/{course.placement_id}?lt=")


def test_the_project_page_shows_the_brief_and_its_facts(canvas_course: School) -> None:
    student = canvas_course.launch(canvas_course.installed.student)

    page = student.get(f"/work/{canvas_course.placement_id}").get_data(as_text=True)
    for expected in ("Café market sizing", "Acme Analytics", "<strong>market size</strong>",
                     "A short report", "Market research", "Estimated hours", "20", "Paid",
                     "500", "Due", "Start"):
        assert expected in page, expected


def test_start_takes_part_and_offers_the_submission_form(canvas_course: School) -> None:
    student = canvas_course.student()

    page = student.get(f"/work/{canvas_course.placement_id}").get_data(as_text=True)
    assert 'name="form_token"' in page and ">Start<" not in page
    assert "Student " in page  # the pseudonym the employer sees until consent


def test_a_placement_of_another_course_looks_missing(canvas_course: School) -> None:
    lms = canvas_course.lms
    other = lms.add_course(title="Another course")
    lms.enrol(other, canvas_course.installed.student, "Learner")
    outsider = canvas_course.app.test_client()
    from tests.support.lms import LaunchDriver, launch_token

    response = LaunchDriver(outsider, lms).launch(canvas_course.installed.tool,
                                                 canvas_course.installed.student, other)
    token = launch_token(response)

    assert outsider.get(f"/work/{canvas_course.placement_id}?lt={token}").status_code == 404
    assert outsider.post(f"/work/{canvas_course.placement_id}/start?lt={token}").status_code in (400, 404)


def test_pages_need_a_launch(canvas_course: School) -> None:
    anonymous = canvas_course.app.test_client()
    assert anonymous.get(f"/work/{canvas_course.placement_id}").status_code == 401
