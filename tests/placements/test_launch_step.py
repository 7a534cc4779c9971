"""The placement step's reading of a launch: custom parameters, due dates, course navigation."""

from __future__ import annotations

from datetime import UTC, datetime

from lti_tool.launch.placement_step import (
    custom_value,
    id_list,
    is_course_navigation,
    reported_due_date,
)
from lti_tool.services.ags_lineitems import with_query
from lti_tool.services.nrps import first_page_url
from tests.placements.helpers import Setup
from tests.support.lms import landing_address

LTI = "https://purl.imsglobal.org/spec/lti/claim/"


def test_an_unsubstituted_variable_counts_as_absent() -> None:
    custom = {"a": "$Canvas.assignment.dueAt.iso8601", "b": "  ", "c": "x1,x2", "d": 7}
    assert custom_value(custom, "a") is None
    assert custom_value(custom, "b") is None
    assert custom_value(custom, "d") is None
    assert custom_value(custom, "missing") is None
    assert id_list(custom_value(custom, "c")) == ("x1", "x2")


def test_the_lms_due_date_is_read_from_either_variable() -> None:
    moved = datetime(2026, 5, 8, 12, 0, tzinfo=UTC)
    assert reported_due_date({"due_at": "2026-05-08T12:00:00Z"}) == moved
    assert reported_due_date({"due_at": "$ResourceLink.submission.endDateTime",
                              "canvas_due_at": "2026-05-08T14:00:00+02:00"}) == moved
    assert reported_due_date({"due_at": "next friday"}) is None
    assert reported_due_date({"due_at": ""}) is None


def test_moodle_query_strings_stay_when_parameters_are_added() -> None:
    url = "https://moodle.example/mod/lti/services.php/2/lineitems?type_id=3"
    assert with_query(url, resource_link_id="9", limit="100") == (
        "https://moodle.example/mod/lti/services.php/2/lineitems?type_id=3&resource_link_id=9&limit=100"
    )
    assert first_page_url("https://canvas.example/api/lti/courses/1/names_and_roles",
                          resource_link_id="rl") == (
        "https://canvas.example/api/lti/courses/1/names_and_roles?limit=100&rlid=rl"
    )


def test_course_navigation_is_recognised() -> None:
    assert is_course_navigation({"https://www.instructure.com/placement": "course_navigation"})
    assert is_course_navigation({LTI + "context": {"id": "c1"}, LTI + "resource_link": {"id": "c1"}})
    assert not is_course_navigation({LTI + "context": {"id": "c1"}, LTI + "resource_link": {"id": "r"}})


def test_the_course_navigation_launch_opens_the_course_home(setup: Setup) -> None:
    installed = setup.installed
    response = setup.driver.launch(
        installed.tool, installed.instructor, installed.course,
        extra_claims={"https://www.instructure.com/placement": "course_navigation"},
    )

    assert response.status_code == 200
    location = landing_address(response)
    assert location.startswith("/course?lt=") and "link=unplaced" not in location


def test_a_hand_made_link_without_a_project_offers_to_choose_one(setup: Setup) -> None:
    installed, lms = setup.installed, setup.lms
    link = lms.add_resource_link(installed.course, installed.tool, title="Made by hand")
    response = setup.driver.launch(
        installed.tool, installed.instructor, installed.course, resource_link=link
    )

    location = landing_address(response)
    assert location.startswith("/course?lt=") and "link=unplaced" in location
    home = setup.driver.client.get(location).get_data(as_text=True)
    assert "This link has no project yet" in home
