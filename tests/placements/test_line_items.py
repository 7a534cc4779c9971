"""AGS line items on both flavours: a link made by hand gets its column found or created, the
settings page updates label and scoreMaximum with PUT, and lookups page through the container
(Moodle's line item URLs keep their ?type_id= query)."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from grading.placements.models import Placement
from lti_tool.deep_linking import gradebook_column
from lti_tool.services import ags_lineitems as ags
from tests.placements.helpers import Setup, hidden_fields, open_deep_linking, query, send_to_lms
from tests.support.lms import landing_address


def _attach(setup: Setup, client: FlaskClient, link_id: str, **fields: str) -> str:
    """Open a link made by hand as the instructor and give it the project; return the page."""
    launch = setup.driver.launch(setup.installed.tool, setup.installed.instructor,
                                 setup.installed.course, resource_link=link_id)
    location = landing_address(launch)
    assert location.startswith("/course?lt=") and "link=unplaced" in location
    token = query(location)["lt"]
    home = client.get(location).get_data(as_text=True)
    assert "Choose a project for this link" in home
    picker = client.get(f"/lti/link/choose?lt={token}")
    assert picker.status_code == 200 and setup.revision.title in picker.get_data(as_text=True)
    page = client.get("/lti/link/configure", query_string={"lt": token, "revision": setup.revision.id})
    data = MultiDict(hidden_fields(page.get_data(as_text=True)))
    for name, value in {"title": "Capstone", "points": "30", "team_size": "1",
                        "release_mode": "instructor", **fields}.items():
        data[f"p0-{name}"] = value
    done = client.post("/lti/link/attach", data=data)
    assert done.status_code == 303, done.get_data(as_text=True)[:800]
    return done.headers["Location"]


def test_a_hand_made_link_gets_its_project_and_a_new_line_item(
    setup: Setup, client: FlaskClient, db: Session
) -> None:
    link = setup.lms.add_resource_link(setup.installed.course, setup.installed.tool, title="Capstone")
    early = setup.driver.launch(setup.installed.tool, setup.installed.student,
                                setup.installed.course, resource_link=link)
    assert landing_address(early).startswith("/course/project?lt=")

    location = _attach(setup, client, link.id)

    placement = db.scalar(select(Placement))
    assert placement is not None
    assert location.startswith(f"/course/placements/{placement.id}?lt=")
    [item] = setup.lms.line_items(setup.installed.course)
    assert (item.resource_link_id, item.label, item.score_maximum) == (link.id, "Capstone", 30.0)
    assert item.resource_id == str(placement.id) and item.tag == "microbridge"
    assert placement.resource_link_id == link.id
    assert placement.line_item_url == setup.lms.line_item_url(item)
    if not setup.lms.is_canvas:
        assert "?type_id=" in placement.line_item_url


def test_a_hand_made_graded_link_keeps_its_own_line_item(
    setup: Setup, client: FlaskClient, db: Session
) -> None:
    link = setup.lms.add_resource_link(setup.installed.course, setup.installed.tool,
                                       title="Graded by hand", score_maximum=10)

    _attach(setup, client, link.id)

    [item] = setup.lms.line_items(setup.installed.course)
    placement = db.scalar(select(Placement))
    assert placement is not None and placement.line_item_url == setup.lms.line_item_url(item)


def test_the_settings_page_puts_label_and_score_maximum(
    setup: Setup, client: FlaskClient, db: Session
) -> None:
    send_to_lms(open_deep_linking(setup).respond([setup.revision.id], **{"p0-title": "Churn study"}))
    outcome = setup.lms.deep_link_outcomes[-1]
    launch = setup.driver.launch(setup.installed.tool, setup.installed.instructor,
                                 setup.installed.course, resource_link=outcome.resource_link_ids[0])
    location = landing_address(launch)
    path, token = location.split("?")[0], query(location)["lt"]
    form = client.get(f"/lti/placements/{path.rsplit('/', 1)[1]}/settings?lt={token}")
    assert form.status_code == 200
    data = MultiDict(hidden_fields(form.get_data(as_text=True)))
    data.update({"p0-title": "Churn study (revised)", "p0-points": "75", "p0-due": "2026-06-01T09:30",
                 "p0-team_size": "2", "p0-release_mode": "automatic"})

    saved = client.post(form.request.path, data=data)

    assert saved.status_code == 303 and "saved=lms" in saved.headers["Location"]
    item = setup.lms.get_line_item(outcome.line_item_ids[0])
    assert (item.label, item.score_maximum) == ("Churn study (revised)", 75.0)
    assert item.resource_id is not None and item.resource_link_id == outcome.resource_link_ids[0]
    placement = db.scalar(select(Placement))
    assert placement is not None
    db.refresh(placement)
    assert placement.score_maximum == 75.0 and placement.team_size == 2
    assert placement.line_item_error == ""


def test_settings_with_mistakes_are_refused_field_by_field(setup: Setup, client: FlaskClient) -> None:
    send_to_lms(open_deep_linking(setup).respond([setup.revision.id]))
    launch = setup.driver.launch(setup.installed.tool, setup.installed.instructor,
                                 setup.installed.course,
                                 resource_link=setup.lms.deep_link_outcomes[-1].resource_link_ids[0])
    location = landing_address(launch)
    placement_id, token = location.split("?")[0].rsplit("/", 1)[1], query(location)["lt"]
    form = client.get(f"/lti/placements/{placement_id}/settings?lt={token}")
    data = MultiDict(hidden_fields(form.get_data(as_text=True)))
    data.update({"p0-title": "", "p0-points": "0", "p0-due": "soon", "p0-team_size": "9",
                 "p0-release_mode": "automatic"})

    refused = client.post(form.request.path, data=data)

    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    for field in ("title", "points", "due", "team_size"):
        assert f'id="p0-{field}-error"' in text
        assert f'aria-describedby="p0-{field}' in text or f'p0-{field}-error"' in text


def test_finding_a_line_item_pages_through_the_container(setup: Setup, client: FlaskClient) -> None:
    lms, installed = setup.lms, setup.installed
    links = [lms.add_resource_link(installed.course, installed.tool, title=f"L{i}", score_maximum=5)
             for i in range(120)]
    wanted = links[117]
    # A launch stores the course's AGS container URL; the connector's token needs the live tool.
    setup.driver.launch(installed.tool, installed.instructor, installed.course, resource_link=wanted)
    container = lms.line_items_url(installed.course, installed.tool)
    with setup.live.app.app_context():
        client_ = gradebook_column.connector(installed.row_id)
        before = lms.stats.service_requests
        # A platform that ignores filters still gives the right answer: filter on our side too.
        found = [i for i in ags.line_items(client_, container) if i.resource_link_id == wanted.id]
        pages = lms.stats.service_requests - before
        assert ags.find(client_, container, resource_link_id=wanted.id) is not None

    assert [i.url for i in found] == [lms.line_item_url(wanted.line_item_id)]
    assert pages == (3 if lms.is_canvas else 2)  # Canvas caps pages at 50 items
