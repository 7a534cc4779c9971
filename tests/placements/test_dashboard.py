"""The instructor's pages: the course home lists the placements; a placement's page shows every
learner of the roster with their state, filters them, exports them; nothing crosses courses."""

from __future__ import annotations

import csv
import io
import re

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from config.settings import Settings
from grading.placements.models import Placement
from grading.placements.tasks import load_roster
from tests.placements.helpers import Setup, open_deep_linking, refresh_roster, send_to_lms
from tests.support.lms import landing_address, launch_token


def _placed(setup: Setup) -> tuple[str, str]:
    """Place the project, open it as the instructor; return the link id and the page."""
    send_to_lms(open_deep_linking(setup).respond([setup.revision.id], **{"p0-title": "Churn study"}))
    link_id = setup.lms.deep_link_outcomes[-1].resource_link_ids[0]
    response = setup.driver.launch(setup.installed.tool, setup.installed.instructor,
                                   setup.installed.course, resource_link=link_id)
    return link_id, landing_address(response)


def test_the_course_home_lists_the_courses_placements(setup: Setup, client: FlaskClient) -> None:
    _, location = _placed(setup)
    token = location.split("lt=")[1]

    home = client.get(f"/course?lt={token}").get_data(as_text=True)

    assert "Churn study" in home and "/course/placements/" in home


def test_the_course_home_counts_each_placements_loaded_learners(
    setup: Setup, client: FlaskClient
) -> None:
    lms, installed = setup.lms, setup.installed
    for given in ("Grace", "Alan"):
        lms.enrol(installed.course, lms.add_user(given, "Student"), "Learner")
    picker = open_deep_linking(setup)
    send_to_lms(picker.respond([setup.revision.id], **{"p0-title": "Churn study"}))
    # A learner opened it first: linked, but its roster is not loaded until an instructor does.
    link_id = setup.lms.deep_link_outcomes[-1].resource_link_ids[0]
    setup.driver.launch(installed.tool, installed.student, installed.course, resource_link=link_id)
    assert "roster not loaded" in client.get(f"/course?lt={picker.token}").get_data(as_text=True)

    # The instructor opens it (its first load is queued) and refreshes it by hand.
    launched = setup.driver.launch(installed.tool, installed.instructor, installed.course,
                                   resource_link=link_id)
    refresh_roster(client, landing_address(launched))
    token = launch_token(launched)
    home = client.get(f"/course?lt={token}").get_data(as_text=True)

    assert "roster not loaded" not in home
    assert re.search(r"Churn study.*<td>3</td>", home, re.S), home


def test_every_roster_learner_is_listed_not_started(
    setup: Setup, client: FlaskClient, db: Session
) -> None:
    lms, installed = setup.lms, setup.installed
    for given in ("Grace", "Alan", "Edsger"):
        lms.enrol(installed.course, lms.add_user(given, "Student"), "Learner")
    dropped = lms.add_user("Dropped", "Out")
    lms.enrol(installed.course, dropped, "Learner", status="Inactive")
    _, location = _placed(setup)

    result = refresh_roster(client, location)
    assert "roster=ok" in result.headers["Location"]
    page = client.get(location).get_data(as_text=True)

    for name in ("Ada Lovelace", "Grace Student", "Alan Student", "Edsger Student", "Dropped Out"):
        assert name in page
    assert "Grace Hopper" not in page  # the instructor is not a learner
    assert "Not started: 4" in page and "Inactive: 1" in page
    assert re.search(r"Dropped Out.*inactive \(inactive\)", page, re.S)
    placement = db.scalar(select(Placement))
    assert placement is not None
    db.refresh(placement)
    assert placement.roster_synced_at is not None and placement.roster_error == ""


def test_filters_and_csv_export(setup: Setup, client: FlaskClient) -> None:
    lms, installed = setup.lms, setup.installed
    lms.enrol(installed.course, lms.add_user("=cmd|calc", "Mallory"), "Learner")
    lms.enrol(installed.course, lms.add_user("Gone", "Away"), "Learner", status="Deleted")
    _, location = _placed(setup)
    refresh_roster(client, location)
    path, token = location.split("?")[0], location.split("lt=")[1]

    hidden = client.get(f"{path}?lt={token}&inactive=hide").get_data(as_text=True)
    assert "Gone Away" not in hidden and "Ada Lovelace" in hidden
    searched = client.get(f"{path}?lt={token}&q=lovelace").get_data(as_text=True)
    assert "Ada Lovelace" in searched and "Mallory" not in searched
    staged = client.get(f"{path}?lt={token}&stage=submitted").get_data(as_text=True)
    assert "No learners match" in staged

    export = client.get(f"{path}/learners.csv?lt={token}")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    by_name = {row["name"]: row for row in rows}
    assert by_name["Ada Lovelace"]["stage"] == "Not started"
    assert by_name["Gone Away"]["enrolment"] == "Deleted"
    assert "'=cmd|calc Mallory" in by_name  # no formula reaches a spreadsheet


def test_a_placement_is_only_seen_from_its_own_course(setup: Setup, client: FlaskClient) -> None:
    _, location = _placed(setup)
    placement_path = location.split("?")[0]
    lms, installed = setup.lms, setup.installed
    other = lms.add_course(title="Another course")
    lms.enrol(other, installed.instructor, "Instructor")
    elsewhere = setup.driver.launch(installed.tool, installed.instructor, other)
    token = landing_address(elsewhere).split("lt=")[1]

    for suffix in ("", "/learners.csv"):
        assert client.get(f"{placement_path}{suffix}?lt={token}").status_code == 404
    page = client.get(f"/course/placements/1/roster?lt={token}")
    assert page.status_code == 405


def test_learners_cannot_open_the_dashboard(setup: Setup, client: FlaskClient) -> None:
    link_id, location = _placed(setup)
    learner = setup.driver.launch(setup.installed.tool, setup.installed.student,
                                  setup.installed.course, resource_link=link_id)
    token = landing_address(learner).split("lt=")[1]

    assert client.get(location.split("?")[0] + f"?lt={token}").status_code == 403


def test_the_roster_refresh_needs_the_forms_token(setup: Setup, client: FlaskClient) -> None:
    _, location = _placed(setup)
    token = location.split("lt=")[1]

    forged = client.post(location.split("?")[0] + "/roster", data={"lt": token})

    assert forged.status_code == 400


def test_the_instructors_first_visit_loads_the_roster_in_the_background(
    setup: Setup, client: FlaskClient, db: Session, settings: Settings
) -> None:
    lms, installed = setup.lms, setup.installed
    for given in ("Grace", "Alan"):
        lms.enrol(installed.course, lms.add_user(given, "Student"), "Learner")
    _, location = _placed(setup)

    client.get(location)  # the first visit hands the load to the task queue
    if not settings.run_tasks_in_process:
        # Tasks went to Redis and this test runs no worker: run the queued task as one would.
        placement_id = db.scalar(select(Placement.id))
        assert load_roster.apply(kwargs={"placement_id": placement_id}).get() == "loaded"
    page = client.get(location).get_data(as_text=True)

    assert "Grace Student" in page and "Alan Student" in page and "not in roster" not in page
    assert "Roster from the LMS as of" in page
    placement = db.scalar(select(Placement))
    assert placement is not None and placement.roster_synced_at is not None
    # Later visits do not load it again: refreshing stays the instructor's choice.
    synced = placement.roster_synced_at
    client.get(location)
    db.refresh(placement)
    assert placement.roster_synced_at == synced
