"""Bad input around deep linking and placements is refused with a clear 4xx: a request
without settings, a learner asking to deep link, a placement named from another platform or
deployment, a page of the picker opened outside deep linking."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.institutions.service import get_or_create
from config.settings import Settings
from grading.placements.models import Placement
from lti_tool.demo_lms.platform import Platform
from lti_tool.registry import service as registry
from lti_tool.registry.models import Platform as PlatformRow
from tests.placements.helpers import (
    DL_REQUEST,
    DL_SETTINGS,
    Setup,
    listed_project,
    live_setup,
    open_deep_linking,
    send_to_lms,
)
from tests.support.lms import install_tool, landing_address, launch_token


@pytest.fixture
def setup(db: Session, lms: Platform, settings: Settings) -> Iterator[Setup]:
    with live_setup(db, lms, settings) as ready:
        yield ready


def _placement_key(setup: Setup, db: Session) -> str:
    send_to_lms(open_deep_linking(setup).respond([setup.revision.id]))
    placement = db.scalar(select(Placement))
    assert placement is not None
    return placement.key


def test_a_deep_linking_request_without_settings_is_refused(setup: Setup) -> None:
    installed = setup.installed
    response = setup.driver.launch(installed.tool, installed.instructor, installed.course,
                                   message_type=DL_REQUEST, extra_claims={DL_SETTINGS: None})

    text = response.get_data(as_text=True)
    assert response.status_code == 400, text[:500]
    assert "deep linking settings" in text.lower()


def test_deep_linking_settings_without_a_return_url_are_refused(setup: Setup) -> None:
    installed = setup.installed
    broken = {"accept_types": ["ltiResourceLink"], "accept_presentation_document_targets": ["iframe"]}
    response = setup.driver.launch(installed.tool, installed.instructor, installed.course,
                                   message_type=DL_REQUEST, extra_claims={DL_SETTINGS: broken})

    text = response.get_data(as_text=True)
    assert response.status_code == 400, text[:500]
    assert "did not say where to send it back" in text


def test_a_learner_cannot_deep_link(setup: Setup) -> None:
    installed = setup.installed
    response = setup.driver.launch(installed.tool, installed.student, installed.course,
                                   message_type=DL_REQUEST)

    assert response.status_code == 403
    assert "Only instructors" in response.get_data(as_text=True)


def test_a_placement_of_another_registration_is_refused(
    setup: Setup, db: Session, client: FlaskClient
) -> None:
    key = _placement_key(setup, db)
    second = install_tool(db, setup.lms, tool_base=setup.live.base_url, institution="Other U")

    response = setup.driver.launch(second.tool, second.instructor, second.course,
                                   custom={"microbridge_placement": key})

    text = response.get_data(as_text=True)
    assert response.status_code == 403, text[:500]
    assert "another LMS registration or deployment" in text
    assert len(db.scalars(select(Placement)).all()) == 1


def test_a_placement_of_another_deployment_is_refused(setup: Setup, db: Session) -> None:
    key = _placement_key(setup, db)
    installed = setup.installed
    installed.tool.deployment_ids.append("second-deployment")
    row = db.get(PlatformRow, installed.row_id)
    assert row is not None
    registry.add_deployment(db, platform=row, deployment_id="second-deployment")
    db.commit()
    other = setup.lms.add_course(title="Taught under another deployment")
    setup.lms.enrol(other, installed.instructor, "Instructor")

    response = setup.driver.launch(installed.tool, installed.instructor, other,
                                   deployment_id="second-deployment",
                                   custom={"microbridge_placement": key})

    assert response.status_code == 403
    assert len(db.scalars(select(Placement)).all()) == 1


def test_an_unsubstituted_variable_is_no_placement_key(setup: Setup, db: Session) -> None:
    installed = setup.installed
    response = setup.driver.launch(installed.tool, installed.instructor, installed.course,
                                   custom={"microbridge_placement": "$Unknown.variable",
                                           "resource_link_id_history": "$ResourceLink.id.history",
                                           "due_at": "$ResourceLink.submission.endDateTime"})

    assert response.status_code == 200
    assert landing_address(response).startswith("/course?lt=")
    assert db.scalar(select(Placement)) is None


def test_the_picker_opens_only_from_deep_linking(setup: Setup, client: FlaskClient) -> None:
    installed = setup.installed
    launch = setup.driver.launch(installed.tool, installed.instructor, installed.course)

    page = client.get(f"/lti/deep-linking?lt={launch_token(launch)}")

    assert page.status_code == 400
    assert "Add activity" in page.get_data(as_text=True)


def test_a_platform_that_accepts_no_links_is_told_so(setup: Setup) -> None:
    installed = setup.installed
    response = setup.driver.launch(installed.tool, installed.instructor, installed.course,
                                   message_type=DL_REQUEST,
                                   deep_link_settings={"accept_types": ["file", "html"]})

    # pylti1p3 refuses it at the launch already; the picker would too (settings.py).
    assert response.status_code == 400
    assert "resource link" in response.get_data(as_text=True)


def test_a_project_outside_the_institutions_catalog_cannot_be_placed(
    setup: Setup, db: Session
) -> None:
    elsewhere = get_or_create(db, name="Another Institution")
    db.commit()
    foreign = listed_project(db, elsewhere.id, title="Not ours", org="Far Away")

    refused = open_deep_linking(setup).configure(foreign.id)

    assert refused.status_code == 404
