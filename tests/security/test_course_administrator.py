"""L1: only institution and system administrator roles make someone an administrator of the
institution (curation, platform administration). The course-context Administrator role, long
or short, is a course role: it may run the course, nothing more.

LTI 1.3 role vocabularies: https://www.imsglobal.org/spec/lti/v1p3/#role-vocabularies
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from config.web import Roles
from lti_tool.demo_lms.platform import Platform
from lti_tool.launch.roles import map_roles
from tests.support.lms import LaunchDriver, install_tool, launch_token, running_platform

CONTEXT_ADMIN = [
    "http://purl.imsglobal.org/vocab/lis/v2/membership#Administrator",
    "Administrator",
    " Administrator ",
]
INSTITUTION_ADMIN = [
    "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
    "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator",
    "http://purl.imsglobal.org/vocab/lis/v2/system/person#SysAdmin",
]


@pytest.mark.parametrize("role", CONTEXT_ADMIN)
def test_a_course_administrator_is_course_staff_not_an_institution_administrator(role: str) -> None:
    roles = map_roles([role])
    assert Roles.ADMINISTRATOR not in roles
    assert Roles.INSTRUCTOR in roles


@pytest.mark.parametrize("role", INSTITUTION_ADMIN)
def test_institution_and_system_administrators_are_administrators(role: str) -> None:
    assert Roles.ADMINISTRATOR in map_roles([role])


@pytest.fixture
def canvas() -> object:
    with running_platform("canvas") as platform:
        yield platform


def test_a_course_administrator_launch_cannot_curate_or_administer(
    client: FlaskClient, db: Session, canvas: Platform
) -> None:
    installed = install_tool(db, canvas)
    person = canvas.add_user("Course", "Admin", email="course.admin@example.edu")
    canvas.enrol(installed.course, person, "Administrator")
    response = LaunchDriver(client, canvas).launch(installed.tool, person, installed.course)
    assert response.status_code == 200
    lt = launch_token(response)
    assert client.get(f"/curation/?lt={lt}").status_code in (403, 404)
    assert client.get(f"/admin/platforms?lt={lt}").status_code in (403, 404)
