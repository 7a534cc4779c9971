"""A course of 500: the learner table comes in pages of 50 with search, every page stays under
100 KB on the wire, and what carries no launch token is compressed."""

from __future__ import annotations

import gzip

from flask.testing import FlaskClient

from tests.placements.helpers import Setup, open_deep_linking, refresh_roster, send_to_lms
from tests.support.lms import landing_address

LEARNERS = 500


def _big_course(setup: Setup, client: FlaskClient) -> str:
    lms, installed = setup.lms, setup.installed
    for n in range(LEARNERS - 1):  # and Ada Lovelace, the installed student
        lms.enrol(installed.course, lms.add_user(f"Learner{n:03d}", "Student"), "Learner")
    send_to_lms(open_deep_linking(setup).respond([setup.revision.id], **{"p0-title": "Churn study"}))
    link_id = setup.lms.deep_link_outcomes[-1].resource_link_ids[0]
    location = landing_address(setup.driver.launch(setup.installed.tool, setup.installed.instructor,
                                                   setup.installed.course, resource_link=link_id))
    refresh_roster(client, location)
    return str(location)


def test_five_hundred_learners_come_in_pages_of_fifty(setup: Setup, client: FlaskClient) -> None:
    location = _big_course(setup, client)

    first = client.get(location)
    page = first.get_data(as_text=True)
    assert "Learners 1 to 50 of 500 matching" in page and "Page 1 of 10" in page
    assert page.count('<th scope="row">') == 50
    assert len(first.get_data()) < 100_000
    assert 'rel="next"' in page and 'rel="prev"' not in page

    last = client.get(f"{location}&page=10").get_data(as_text=True)
    assert "Learners 451 to 500 of 500 matching" in last and 'rel="next"' not in last
    beyond = client.get(f"{location}&page=99").get_data(as_text=True)
    assert "Page 10 of 10" in beyond  # a page past the end shows the last one

    found = client.get(f"{location}&q=learner123").get_data(as_text=True)
    assert "Learner123 Student" in found and found.count('<th scope="row">') == 1


def test_pages_with_a_launch_token_are_not_compressed_others_are(
    setup: Setup, client: FlaskClient
) -> None:
    location = _big_course(setup, client)
    lms_page = client.get(location, headers={"Accept-Encoding": "gzip"})
    # The launch token is in every link: no compression beside reflected input (BREACH).
    assert "Content-Encoding" not in lms_page.headers

    path, token = location.split("?")[0], location.split("lt=")[1]
    csv_export = client.get(f"{path}/learners.csv?lt={token}", headers={"Accept-Encoding": "gzip"})
    assert csv_export.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in csv_export.headers["Vary"]
    assert gzip.decompress(csv_export.get_data()).decode().count("\n") == LEARNERS + 1

    css = client.get("/static/microbridge.css", headers={"Accept-Encoding": "gzip, br"})
    assert css.headers["Content-Encoding"] == "gzip"
    plain = client.get("/static/microbridge.css", headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in plain.headers
