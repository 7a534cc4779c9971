"""Complete launches through the emulated Canvas and Moodle, over real HTTP."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from grading.people.models import Course, Person
from tests.support.lms import Installed, LaunchDriver, install_tool, landing_address, launch_token


def test_instructor_lands_on_the_course_home(
    installed: Installed, driver: LaunchDriver, client: FlaskClient, db: Session
) -> None:
    response = driver.launch(installed.tool, installed.instructor, installed.course)

    # The launch answers with the landing page itself (no redirect, one round trip fewer),
    # naming the page's own address, which the page puts in the frame's history.
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Market Research Practicum" in page
    address = response.headers["Content-Location"]
    assert address.startswith("/course?lt=")
    assert f'data-address="{address}"' in page.replace("&amp;", "&")
    # Reloading the frame asks for that address: the same page.
    home = client.get(address)
    assert home.status_code == 200
    assert "Market Research Practicum" in home.get_data(as_text=True)
    assert "data-address" not in home.get_data(as_text=True)
    course = db.scalar(select(Course))
    assert course is not None and course.title == "Market Research Practicum"


def test_learner_lands_on_their_project_and_is_named(
    installed: Installed, driver: LaunchDriver, client: FlaskClient, db: Session
) -> None:
    response = driver.launch(installed.tool, installed.student, installed.course)

    assert landing_address(response).startswith("/course/project?lt=")
    assert "Ada Lovelace" in response.get_data(as_text=True)
    page = client.get(landing_address(response)).get_data(as_text=True)
    assert "Ada Lovelace" in page
    person = db.scalar(select(Person).where(Person.sub == installed.student.user_id))
    assert person is not None and person.email == "ada@example.edu"


def test_learner_cannot_open_the_instructor_home(
    installed: Installed, driver: LaunchDriver, client: FlaskClient
) -> None:
    response = driver.launch(installed.tool, installed.student, installed.course)
    token = launch_token(response)

    refused = client.get(f"/course?lt={token}")
    assert refused.status_code == 403
    assert "Instructors only" in refused.get_data(as_text=True)


def test_a_launch_without_personal_data_still_works(
    db: Session, lms: object, client: FlaskClient
) -> None:
    from lti_tool.demo_lms.platform import Platform

    assert isinstance(lms, Platform)
    installed = install_tool(db, lms, privacy_level="anonymous")
    response = LaunchDriver(client, lms).launch(installed.tool, installed.student, installed.course)

    assert response.status_code == 200
    person = db.scalar(select(Person).where(Person.sub == installed.student.user_id))
    assert person is not None and person.name == "" and person.email == ""


def test_names_from_the_lms_are_escaped_in_pages(
    installed: Installed, driver: LaunchDriver, client: FlaskClient
) -> None:
    course = installed.platform.get_course(installed.course)
    course.title = "<script>alert('x')</script> Research"
    response = driver.launch(installed.tool, installed.instructor, installed.course)

    page = client.get(landing_address(response)).get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page


def test_the_same_person_launching_twice_is_one_person(
    installed: Installed, driver: LaunchDriver, db: Session
) -> None:
    for _ in range(2):
        assert driver.launch(installed.tool, installed.student, installed.course).status_code == 200
    assert len(db.scalars(select(Person)).all()) == 1
    assert len(db.scalars(select(Course)).all()) == 1


def test_navigation_carries_the_session_without_any_cookie(
    installed: Installed, driver: LaunchDriver, app: object
) -> None:
    from flask import Flask

    assert isinstance(app, Flask)
    response = driver.launch(installed.tool, installed.instructor, installed.course)
    fresh = app.test_client()  # a browser that kept no cookie at all

    page = fresh.get(landing_address(response))
    assert page.status_code == 200
    assert "Market Research Practicum" in page.get_data(as_text=True)


def test_a_page_without_a_session_explains_how_to_get_back(client: FlaskClient) -> None:
    response = client.get("/course")
    assert response.status_code == 401
    assert "open microbridge from your course" in response.get_data(as_text=True).lower()


def test_a_tampered_session_token_is_not_accepted(
    installed: Installed, driver: LaunchDriver, app: object
) -> None:
    from flask import Flask

    assert isinstance(app, Flask)
    token = launch_token(driver.launch(installed.tool, installed.instructor, installed.course))
    forged = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")

    assert app.test_client().get(f"/course?lt={forged}").status_code == 401


def test_a_deployment_the_platform_vouches_for_is_registered_by_the_launch(
    installed: Installed, driver: LaunchDriver, db: Session
) -> None:
    from lti_tool.registry import cache
    from lti_tool.registry.models import Deployment, Platform

    # A platform that tells deployment ids only at launch (Canvas, after dynamic registration).
    platform = db.get(Platform, installed.row_id)
    assert platform is not None
    platform.auto_register_deployments = True
    db.execute(Deployment.__table__.delete().where(Deployment.platform_id == platform.id))
    db.commit()
    cache.forget()

    response = driver.launch(installed.tool, installed.instructor, installed.course)

    assert response.status_code == 200
    db.expire_all()
    kept = db.scalars(select(Deployment.deployment_id).where(Deployment.platform_id == platform.id))
    assert list(kept) == list(installed.tool.deployment_ids)
