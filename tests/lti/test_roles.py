from __future__ import annotations

import pytest

from config.web import Roles
from lti_tool.launch.roles import map_roles

M = "http://purl.imsglobal.org/vocab/lis/v2/membership#"


@pytest.mark.parametrize(
    ("uris", "expected"),
    [
        ([M + "Instructor"], {Roles.INSTRUCTOR}),
        (["Instructor"], {Roles.INSTRUCTOR}),
        ([M + "Learner"], {Roles.LEARNER}),
        (["Learner"], {Roles.LEARNER}),
        (
            ["http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"],
            {Roles.TEACHING_ASSISTANT},
        ),
        (["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"], {Roles.ADMINISTRATOR}),
        (["http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"], {Roles.ADMINISTRATOR}),
        # A course's Administrator runs that course; only institution/system roles administer.
        ([M + "Administrator"], {Roles.INSTRUCTOR}),
        (["Administrator"], {Roles.INSTRUCTOR}),
        # A faculty member of the institution is not an instructor of this course.
        (["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor"], set()),
        (["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student"], set()),
        ([M + "Mentor", M + "Learner"], {Roles.LEARNER}),
        ([], set()),
    ],
)
def test_role_uris_map_to_microbridge_roles(uris: list[str], expected: set[str]) -> None:
    assert map_roles(uris) == frozenset(expected)


def test_nrps_members_reach_grading_with_short_course_roles() -> None:
    from lti_tool.services.nrps import member_from_json

    member = member_from_json({
        "user_id": "u1",
        "roles": [
            M + "Learner", "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant",
            "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Faculty", "Mentor", M + "Learner",
        ],
    })
    assert member is not None and member.roles == ("Learner", "TeachingAssistant", "Mentor")
