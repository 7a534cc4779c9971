"""Deep linking round trips through the emulated Canvas and Moodle, checked the way those
platforms check them: the response JWT verified against the tool's JWKS URL, its claims, its
items, and what the LMS creates from them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import jwt
import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from config.settings import Settings
from grading.placements.models import Placement
from lti_tool.demo_lms.platform import Platform
from tests.placements.helpers import (
    DL,
    Setup,
    hidden_fields,
    listed_project,
    live_setup,
    open_deep_linking,
    send_to_lms,
    tool_jwks,
)
from tests.support.lms import landing_address

LTI = "https://purl.imsglobal.org/spec/lti/claim/"


@pytest.fixture
def setup(db: Session, lms: Platform, settings: Settings) -> Iterator[Setup]:
    with live_setup(db, lms, settings) as ready:
        yield ready


def _verify_like_the_platform(setup: Setup, token: str) -> dict:
    """Signature by the kid found at the tool's JWKS URL, aud = the platform's issuer."""
    header = jwt.get_unverified_header(token)
    keys = {k["kid"]: k for k in tool_jwks(setup)["keys"]}
    assert header["alg"] == "RS256" and header["kid"] in keys
    key = jwt.PyJWK(keys[header["kid"]])
    return jwt.decode(token, key=key, algorithms=["RS256"], audience=setup.lms.issuer)


def test_round_trip_creates_a_graded_link(setup: Setup, db: Session) -> None:
    picker = open_deep_linking(setup)
    assert picker.location.startswith("/lti/deep-linking?lt=")
    page = picker.page()
    assert page.status_code == 200
    assert setup.revision.title in page.get_data(as_text=True)

    answer = picker.respond(
        [setup.revision.id], **{"p0-title": "Churn study", "p0-points": "40",
                                "p0-due": "2026-05-01T17:00", "p0-team_size": "2",
                                "p0-release_mode": "automatic"},
    )
    _, token, reply = send_to_lms(answer)

    assert reply.status_code == 200, reply.text
    claims = _verify_like_the_platform(setup, token)
    tool = setup.installed.tool
    assert claims["iss"] == tool.client_id
    assert claims[LTI + "deployment_id"] == tool.deployment_id
    assert claims[LTI + "message_type"] == "LtiDeepLinkingResponse"
    assert claims[LTI + "version"] == "1.3.0"
    assert claims["nonce"]
    request_data = setup.lms.state.deep_link_requests
    assert claims[DL + "data"] in {r.settings.get("data") for r in request_data.values()}
    [item] = claims[DL + "content_items"]
    placement = db.scalar(select(Placement))
    assert placement is not None
    assert item["type"] == "ltiResourceLink" and item["title"] == "Churn study"
    assert item["lineItem"] == {"scoreMaximum": 40.0, "label": "Churn study",
                                "resourceId": str(placement.id), "tag": "microbridge"}
    assert item["custom"]["microbridge_placement"] == placement.key
    assert item["submission"]["endDateTime"] == "2026-05-01T17:00:00Z"
    assert placement.team_size == 2 and placement.release_mode == "automatic"
    assert placement.resource_link_id is None

    outcome = setup.lms.deep_link_outcomes[-1]
    assert outcome.status == "created" and len(outcome.line_item_ids) == 1
    line_item = setup.lms.get_line_item(outcome.line_item_ids[0])
    assert line_item.score_maximum == 40.0 and line_item.resource_id == str(placement.id)
    link = setup.lms.get_link(outcome.resource_link_ids[0])
    assert link.published is (not setup.lms.is_canvas)


def test_canvas_is_said_to_create_unpublished_assignments(setup: Setup) -> None:
    answer = open_deep_linking(setup).respond([setup.revision.id])
    text = answer.get_data(as_text=True)
    assert ("unpublished" in text) is setup.lms.is_canvas


def test_the_first_launch_of_the_new_link_finds_its_placement(
    setup: Setup, db: Session, client: FlaskClient
) -> None:
    send_to_lms(open_deep_linking(setup).respond([setup.revision.id]))
    link_id = setup.lms.deep_link_outcomes[-1].resource_link_ids[0]
    item_id = setup.lms.deep_link_outcomes[-1].line_item_ids[0]

    response = setup.driver.launch(
        setup.installed.tool, setup.installed.instructor, setup.installed.course,
        resource_link=link_id,
    )

    placement = db.scalar(select(Placement))
    assert placement is not None
    assert landing_address(response).startswith(f"/course/placements/{placement.id}?lt=")
    db.refresh(placement)
    assert placement.resource_link_id == link_id
    assert placement.line_item_url == setup.lms.line_item_url(item_id)
    page = client.get(landing_address(response))
    assert page.status_code == 200 and "Project 0" in page.get_data(as_text=True)

    learner = setup.driver.launch(
        setup.installed.tool, setup.installed.student, setup.installed.course, resource_link=link_id
    )
    assert landing_address(learner).startswith(f"/work/{placement.id}?lt=")


def test_several_projects_at_once_when_the_platform_accepts_multiple(
    setup: Setup, db: Session
) -> None:
    other = listed_project(db, setup.institution_id, title="Volunteer funnel review", org="Food Bank")
    answer = open_deep_linking(setup).respond([setup.revision.id, other.id])
    _, token, reply = send_to_lms(answer)

    assert reply.status_code == 200
    items = _verify_like_the_platform(setup, token)[DL + "content_items"]
    assert len(items) == 2
    assert all(i["lineItem"]["scoreMaximum"] == 50.0 for i in items)
    assert len(setup.lms.deep_link_outcomes[-1].resource_link_ids) == 2


def test_one_project_only_when_the_platform_accepts_one(setup: Setup, db: Session) -> None:
    other = listed_project(db, setup.institution_id, title="Volunteer funnel review", org="Food Bank")
    picker = open_deep_linking(setup, deep_link_settings={"accept_multiple": False})

    assert 'type="radio" name="revision"' in picker.page().get_data(as_text=True)
    refused = picker.configure(setup.revision.id, other.id)
    assert refused.status_code == 400
    assert "only one project" in refused.get_data(as_text=True)


def test_without_accept_lineitem_the_first_launch_creates_the_line_item(
    setup: Setup, db: Session
) -> None:
    picker = open_deep_linking(setup, deep_link_settings={"accept_lineitem": False})
    _, token, reply = send_to_lms(picker.respond([setup.revision.id], **{"p0-points": "25"}))
    assert reply.status_code == 200
    [item] = _verify_like_the_platform(setup, token)[DL + "content_items"]
    assert "lineItem" not in item
    link_id = setup.lms.deep_link_outcomes[-1].resource_link_ids[0]
    assert setup.lms.line_items(setup.installed.course) == []

    setup.driver.launch(setup.installed.tool, setup.installed.instructor, setup.installed.course,
                        resource_link=link_id)

    [created] = setup.lms.line_items(setup.installed.course)
    placement = db.scalar(select(Placement))
    assert placement is not None
    db.refresh(placement)
    assert created.resource_link_id == link_id and created.score_maximum == 25.0
    assert created.resource_id == str(placement.id) and created.tag == "microbridge"
    assert placement.line_item_url == setup.lms.line_item_url(created)
    assert placement.line_item_error == ""


def test_cancel_sends_an_empty_response(setup: Setup, db: Session) -> None:
    _, token, reply = send_to_lms(open_deep_linking(setup).cancel())

    assert reply.status_code == 200
    assert _verify_like_the_platform(setup, token)[DL + "content_items"] == []
    assert setup.lms.deep_link_outcomes[-1].status == "cancelled"
    assert db.scalar(select(Placement)) is None


def test_due_date_set_in_the_lms_wins_over_the_stored_one(setup: Setup, db: Session) -> None:
    send_to_lms(open_deep_linking(setup).respond([setup.revision.id], **{"p0-due": "2026-05-01T17:00"}))
    link_id = setup.lms.deep_link_outcomes[-1].resource_link_ids[0]
    moved = datetime(2026, 5, 8, 12, 0, tzinfo=UTC)
    if not setup.lms.is_canvas:
        # Moodle neither keeps submission.endDateTime nor knows the variable: the stored date stays.
        setup.driver.launch(setup.installed.tool, setup.installed.instructor,
                            setup.installed.course, resource_link=link_id)
        placement = db.scalar(select(Placement))
        assert placement is not None and placement.due_at == datetime(2026, 5, 1, 17, 0, tzinfo=UTC)
        return
    setup.lms.set_due_date(link_id, moved)

    setup.driver.launch(setup.installed.tool, setup.installed.student, setup.installed.course,
                        resource_link=link_id)

    placement = db.scalar(select(Placement))
    assert placement is not None
    db.refresh(placement)
    assert placement.due_at == moved and placement.due_at_source == "lms"


def test_a_double_submitted_form_places_the_projects_once(setup: Setup, db: Session) -> None:
    picker = open_deep_linking(setup)
    page = picker.configure(setup.revision.id)
    data = {**hidden_fields(page.get_data(as_text=True)), "p0-title": "Once", "p0-points": "10",
            "p0-team_size": "1", "p0-release_mode": "instructor"}
    first = picker.client.post("/lti/deep-linking/respond", data=data)
    second = picker.client.post("/lti/deep-linking/respond", data=data)

    assert first.status_code == 200 and second.status_code == 409
    assert len(db.scalars(select(Placement)).all()) == 1


def test_the_steps_are_continue_then_add_to_the_course(setup: Setup) -> None:
    picker = open_deep_linking(setup)
    configure = picker.configure(setup.revision.id).get_data(as_text=True)
    assert '<button type="submit">Continue</button>' in configure
    assert "Add to the course" not in configure
    answer = picker.respond([setup.revision.id])
    assert '<button type="submit">Add to the course</button>' in answer.get_data(as_text=True)


def test_a_deep_linking_request_answers_once(setup: Setup, db: Session) -> None:
    """Back from the confirmation and the button again (or the browser resending the form):
    the same request gets "already added" and the link, never a second placement or answer."""
    picker = open_deep_linking(setup)
    first = picker.respond([setup.revision.id], **{"p0-title": "Churn study"})
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"

    again = picker.respond([setup.revision.id], **{"p0-title": "Churn study, take two"})

    assert again.status_code == 409 and again.headers["Cache-Control"] == "no-store"
    page = again.get_data(as_text=True)
    [placement] = db.scalars(select(Placement)).all()
    assert "Already added" in page and "nothing was added twice" in page
    assert f'href="/course/placements/{placement.id}?lt=' in page and ">Churn study</a>" in page
    assert 'name="JWT"' not in page  # no second answer to post to the LMS
    _, _, reply = send_to_lms(first)
    assert reply.status_code == 200
    assert len(setup.lms.deep_link_outcomes[-1].resource_link_ids) == 1

    other = open_deep_linking(setup).respond([setup.revision.id])  # a new dialog: a new answer
    assert other.status_code == 200 and len(db.scalars(select(Placement)).all()) == 2
