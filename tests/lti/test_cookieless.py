"""Launches in browsers that keep no third-party cookie inside the LMS iframe."""

from __future__ import annotations

import re
from html import unescape

from flask import Flask

from lti_tool.demo_lms.platform import Platform
from tests.support.lms import LaunchDriver, install_tool, landing_address


def _ticket(page: str) -> str:
    match = re.search(r'name="ticket" value="([^"]+)"', page)
    assert match, page[:500]
    return unescape(match.group(1))


def test_canvas_platform_storage_confirms_a_launch_without_cookies(
    app: Flask, db: object, canvas: Platform
) -> None:
    from sqlalchemy.orm import Session

    assert isinstance(db, Session)
    installed = install_tool(db, canvas)
    driver = LaunchDriver(app.test_client(), canvas)
    initiation = canvas.login_initiation(installed.tool, installed.student, installed.course)
    assert initiation.params.get("lti_storage_target")
    login = driver.login(initiation)
    page = login.response.get_data(as_text=True)
    assert 'data-mode="put"' in page and f'data-state="{login.state}"' in page
    fields = driver.authorize(login)
    assert fields.get("lti_storage_target")

    cookieless = app.test_client()  # the iframe kept nothing from the login
    confirm = driver.post_launch(fields, client=cookieless)
    assert confirm.status_code == 200
    body = confirm.get_data(as_text=True)
    assert 'data-mode="get"' in body
    ticket = _ticket(body)

    # What the page's script does after lti.get_data answered with the stored state:
    done = cookieless.post("/lti/launch/confirm", data={"ticket": ticket, "state": login.state})
    assert done.status_code == 200
    assert cookieless.get(landing_address(done)).status_code == 200
    # The ticket and the state are single use.
    again = cookieless.post("/lti/launch/confirm", data={"ticket": ticket, "state": login.state})
    assert again.status_code == 400


def test_platform_storage_with_the_wrong_state_is_refused(
    app: Flask, db: object, canvas: Platform
) -> None:
    from sqlalchemy.orm import Session

    assert isinstance(db, Session)
    installed = install_tool(db, canvas)
    driver = LaunchDriver(app.test_client(), canvas)
    login = driver.login(canvas.login_initiation(installed.tool, installed.student, installed.course))
    cookieless = app.test_client()
    ticket = _ticket(driver.post_launch(driver.authorize(login), client=cookieless).get_data(as_text=True))

    refused = cookieless.post("/lti/launch/confirm", data={"ticket": ticket, "state": "state-other"})
    assert refused.status_code == 400
    assert "could not be confirmed" in refused.get_data(as_text=True)


def test_without_cookie_or_platform_storage_the_launch_offers_a_new_window(
    app: Flask, db: object, moodle: Platform
) -> None:
    from sqlalchemy.orm import Session

    assert isinstance(db, Session)
    installed = install_tool(db, moodle)
    driver = LaunchDriver(app.test_client(), moodle)
    login = driver.login(moodle.login_initiation(installed.tool, installed.student, installed.course))
    page = driver.post_launch(driver.authorize(login), client=app.test_client())

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Open Microbridge in a new window" in text
    restart = unescape(re.search(r'href="([^"]*/lti/login\\?[^"]*)"', text).group(1))  # type: ignore[union-attr]
    assert "login_hint=" in restart and "iss=" in restart


def test_the_state_cookie_is_partitioned(app: Flask, db: object, moodle: Platform) -> None:
    from sqlalchemy.orm import Session

    assert isinstance(db, Session)
    installed = install_tool(db, moodle)
    driver = LaunchDriver(app.test_client(), moodle)
    login = driver.login(moodle.login_initiation(installed.tool, installed.student, installed.course))
    cookie = login.response.headers["Set-Cookie"]
    for attribute in ("Secure", "HttpOnly", "SameSite=None", "Partitioned"):
        assert attribute in cookie
