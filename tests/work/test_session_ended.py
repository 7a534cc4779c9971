"""When the store loses a launch's details (it restarted empty, or they expired), the pages
say the session ended and how to open a new one, instead of guessing ("No project here yet")."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import delete

from config.store import StoreEntry
from tests.conftest import TEST_REDIS_URL
from tests.work.harness import School


def _empty_the_store(app: Flask) -> None:
    """What a store restarted without its data holds: nothing."""
    if TEST_REDIS_URL:
        import redis

        redis.Redis.from_url(TEST_REDIS_URL).flushdb()
        return
    with app.extensions["microbridge"].engine.begin() as conn:
        conn.execute(delete(StoreEntry))


def test_work_after_the_store_lost_the_launch_says_to_launch_again(canvas_course: School) -> None:
    student = canvas_course.student()
    assert student.get("/work").status_code == 303  # to the project page, while it knows

    _empty_the_store(canvas_course.app)
    response = student.get("/work")

    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "Your session has ended" in page
    assert "open the Microbridge link again" in page
    assert "No project here yet" not in page


def test_a_new_launch_afterwards_opens_the_project_again(canvas_course: School) -> None:
    canvas_course.student()
    _empty_the_store(canvas_course.app)

    again = canvas_course.launch(canvas_course.installed.student)

    assert again.get("/work").status_code == 303
