"""Info findings on launch input: a ``sub`` that is not a non-empty string is refused, and a
login for an unknown or inactive platform keeps nothing (no state, no cookie)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from grading.people.models import Person
from lti_tool.demo_lms.platform import Platform
from lti_tool.registry.models import Platform as PlatformRow
from tests.support.lms import Installed, LaunchDriver, install_tool, running_platform
from tests.support.store_entries import store_entries


@pytest.fixture
def installed(db: Session) -> Iterator[Installed]:
    with running_platform("canvas") as canvas:
        yield install_tool(db, canvas)


@pytest.mark.parametrize("sub", [12345, 0, ["student"], {"id": "student"}, True, ""])
def test_a_launch_whose_sub_is_not_a_string_is_refused(
    client: FlaskClient, db: Session, installed: Installed, sub: Any
) -> None:
    platform: Platform = installed.platform
    driver = LaunchDriver(client, platform)
    login = driver.login(platform.login_initiation(installed.tool, installed.student, installed.course))
    claims = platform.base_claims(installed.tool, installed.student, installed.course, nonce=login.nonce)
    claims["sub"] = sub
    response = driver.post_launch({"id_token": platform.sign(claims), "state": login.state})
    assert response.status_code == 400, response.get_data(as_text=True)[:500]
    assert "user" in response.get_data(as_text=True).lower()
    assert db.scalar(select(func.count()).select_from(Person)) == 0


def _login(client: FlaskClient, installed: Installed, **change: str) -> Any:
    params = {"iss": installed.platform.issuer, "login_hint": "1",
              "client_id": installed.tool.client_id,
              "target_link_uri": "http://127.0.0.1:5000/lti/launch", **change}
    return client.post("/lti/login", data=params)


def test_a_login_for_an_unknown_platform_stores_nothing(
    app: Flask, client: FlaskClient, installed: Installed
) -> None:
    before = store_entries(app)
    for change in ({"client_id": "not-registered"}, {"iss": "https://unknown.example"}):
        response = _login(client, installed, **change)
        assert response.status_code == 400
        assert "Set-Cookie" not in response.headers
    assert store_entries(app) == before


def test_a_login_for_a_platform_deactivated_elsewhere_stores_nothing(
    app: Flask, client: FlaskClient, db: Session, installed: Installed
) -> None:
    assert _login(client, installed).status_code == 302  # known here, and cached
    # Another process (the admin page on another worker, the CLI) switches the platform off.
    db.execute(update(PlatformRow).where(PlatformRow.id == installed.row_id).values(active=False))
    db.commit()
    before = store_entries(app)
    response = _login(client, installed)
    assert response.status_code == 400
    assert "Set-Cookie" not in response.headers
    assert store_entries(app) == before
