"""Due dates in the instructor's zone: the LMS's where the launch names it ($Person.address.timezone),
else the browser's (the form's ``tz`` field), else UTC. Stored in UTC; the LMS gets UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from grading.placements.models import Placement
from tests.placements.helpers import Setup, hidden_fields, open_deep_linking, query, send_to_lms
from tests.support.lms import landing_address

SETTINGS = {"p0-title": "Churn study", "p0-points": "10", "p0-team_size": "1",
            "p0-release_mode": "instructor"}


def _settings_page(setup: Setup, client: FlaskClient) -> tuple[str, str]:
    """Place the project, launch its link as the instructor; the settings page's path and token."""
    send_to_lms(open_deep_linking(setup).respond([setup.revision.id]))
    link = setup.lms.deep_link_outcomes[-1].resource_link_ids[0]
    launch = setup.driver.launch(setup.installed.tool, setup.installed.instructor,
                                 setup.installed.course, resource_link=link)
    location = landing_address(launch)
    placement_id, token = location.split("?")[0].rsplit("/", 1)[1], query(location)["lt"]
    return f"/lti/placements/{placement_id}/settings", token


def _save(client: FlaskClient, path: str, token: str, **fields: str) -> None:
    form = client.get(f"{path}?lt={token}")
    data = MultiDict(hidden_fields(form.get_data(as_text=True)))
    for name, value in {**SETTINGS, **fields}.items():
        data[name] = value  # replaces the hidden tz, as the browser's script fills it
    saved = client.post(path, data=data)
    assert saved.status_code == 303, saved.get_data(as_text=True)[:800]


def _due(db: Session) -> datetime | None:
    placement = db.scalar(select(Placement))
    assert placement is not None
    db.refresh(placement)
    return placement.due_at


def test_the_lms_zone_is_used_to_enter_and_show_the_due_date(
    setup: Setup, client: FlaskClient, db: Session
) -> None:
    setup.installed.tool.custom["timezone"] = "$Person.address.timezone"
    setup.installed.instructor.timezone = "Europe/Berlin"
    path, token = _settings_page(setup, client)
    page = client.get(f"{path}?lt={token}").get_data(as_text=True)
    assert "Due date and time, <span>Europe/Berlin</span> time" in page

    _save(client, path, token, **{"p0-due": "2026-12-06T14:00", "tz": "America/New_York"})

    assert _due(db) == datetime(2026, 12, 6, 13, 0, tzinfo=UTC)  # the LMS's zone wins
    again = client.get(f"{path}?lt={token}").get_data(as_text=True)
    assert 'value="2026-12-06T14:00"' in again
    home = client.get(f"/course?lt={token}").get_data(as_text=True)
    assert "6 Dec 2026, 14:00 (Europe/Berlin)" in home and "data-local" not in home


def test_without_an_lms_zone_the_browsers_zone_reads_the_typed_time(
    setup: Setup, client: FlaskClient, db: Session
) -> None:
    path, token = _settings_page(setup, client)
    page = client.get(f"{path}?lt={token}").get_data(as_text=True)
    # The label says UTC until static/js/timezone.js names the browser's zone and fills tz.
    assert "<span data-zone-label>UTC</span>" in page and 'name="tz" value=""' in page

    _save(client, path, token, **{"p0-due": "2026-03-29T02:30", "tz": "Europe/Berlin"})

    assert _due(db) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # in the DST gap: 03:30 CEST
    home = client.get(f"/course?lt={token}").get_data(as_text=True)
    assert "29 Mar 2026, 01:30 UTC" in home and "data-local" in home


def test_without_any_zone_the_time_is_utc(setup: Setup, client: FlaskClient, db: Session) -> None:
    path, token = _settings_page(setup, client)

    _save(client, path, token, **{"p0-due": "2026-06-01T09:30", "tz": "Nowhere/Special"})

    assert _due(db) == datetime(2026, 6, 1, 9, 30, tzinfo=UTC)
