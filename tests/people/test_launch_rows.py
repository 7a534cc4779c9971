"""The person and course rows a launch writes: what the platform hides keeps its stored value,
and every text is cut to its column."""

from __future__ import annotations

from dataclasses import replace

from flask import Flask
from sqlalchemy.orm import Session

from config import runtime
from config.identity import LaunchIdentity
from grading.courses import seen_at_launch
from grading.courses.service import LearnerLanding, landing_of
from grading.people.models import Course, Person
from grading.people.service import CourseSeen, PersonSeen, record_launch
from lti_tool.registry import service as registry


def _platform(db: Session) -> int:
    platform = registry.add_platform(
        db, issuer="https://lms.example", client_id="tool", auth_login_url="https://lms.example/auth",
        token_url="https://lms.example/token", jwks_url="https://lms.example/jwks",
    )
    db.commit()
    return platform.id


def _launch(app: Flask, person: PersonSeen, course: CourseSeen) -> tuple[int, int]:
    with runtime.of_app(app).engine.connect() as raw:
        connection = raw.execution_options(isolation_level="AUTOCOMMIT")
        written = record_launch(connection, person=person, course=course, link_id="link-1")
    assert written.placement_at_link is None  # nothing placed at the link yet
    return written.person_id, written.course_id


def test_a_launch_writes_the_person_and_course_cut_to_their_columns(app: Flask, db: Session) -> None:
    platform_id = _platform(db)
    person_id, course_id = _launch(
        app,
        PersonSeen(platform_id, "sub-1", name="N" * 500, email="ada@example.edu"),
        CourseSeen(platform_id, "dep-1", "ctx-1", label="L" * 400, title="T" * 900,
                   lineitems_url="https://lms.example/li"),
    )
    person = db.get(Person, person_id)
    course = db.get(Course, course_id)
    assert person is not None and course is not None
    assert person.name == "N" * 200 and person.email == "ada@example.edu"
    assert (course.label, course.title) == ("L" * 255, "T" * 500)
    assert course.lineitems_url == "https://lms.example/li" and course.memberships_url == ""


def test_what_the_platform_hides_next_time_keeps_its_stored_value(app: Flask, db: Session) -> None:
    platform_id = _platform(db)
    first = _launch(
        app, PersonSeen(platform_id, "sub-1", given_name="Ada", email="ada@example.edu"),
        CourseSeen(platform_id, "dep-1", "ctx-1", title="Market research"),
    )
    again = _launch(
        app, PersonSeen(platform_id, "sub-1", given_name="Augusta"),  # email hidden this time
        CourseSeen(platform_id, "dep-1", "ctx-1"),
    )
    assert again == first  # the same rows, updated in place
    db.expire_all()
    person = db.get(Person, first[0])
    course = db.get(Course, first[1])
    assert person is not None and course is not None
    assert (person.given_name, person.email) == ("Augusta", "ada@example.edu")
    assert course.title == "Market research"


def test_the_upserts_return_the_names_as_stored(app: Flask, db: Session) -> None:
    """The launch's page shows these names without reading them again, so they must be the
    stored ones: what the platform hid this time is the value kept from before."""
    platform_id = _platform(db)
    _launch(app, PersonSeen(platform_id, "sub-1", given_name="Ada", family_name="Lovelace"),
            CourseSeen(platform_id, "dep-1", "ctx-1", title="Market research"))
    with runtime.of_app(app).engine.connect() as raw:
        written = record_launch(
            raw.execution_options(isolation_level="AUTOCOMMIT"),
            person=PersonSeen(platform_id, "sub-1", given_name="Augusta"),  # family name hidden
            course=CourseSeen(platform_id, "dep-1", "ctx-1", label="MR-1"),  # title hidden
            link_id=None,
        )
    assert written.person_names == ("", "Augusta", "Lovelace")
    assert written.course_names == ("Market research", "MR-1", "ctx-1")
    landing = landing_of(written.course_names, written.person_names)
    assert (landing.course_title, landing.learner_name) == ("Market research", "Augusta Lovelace")


def test_a_landing_remembered_at_launch_serves_only_that_person_in_that_course(app: Flask) -> None:
    seen = LearnerLanding(course_title="Market research", learner_name="Ada")
    ada = LaunchIdentity(session_id="s", person_id=1, platform_id=1, deployment_id="d", course_id=7)
    with app.test_request_context("/course/project"):
        assert seen_at_launch.recall(ada) is None  # nothing remembered: the page reads the rows
        seen_at_launch.remember(ada, seen)
        assert seen_at_launch.recall(ada) == seen
        assert seen_at_launch.recall(replace(ada, person_id=2)) is None
        assert seen_at_launch.recall(replace(ada, course_id=8)) is None
    with app.test_request_context("/course/project"):
        assert seen_at_launch.recall(ada) is None  # another request remembers nothing
