"""LTI Dynamic Registration with the emulated Canvas and Moodle, over real HTTP."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from urllib.parse import urlsplit

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.demo_lms.platform import Platform
from lti_tool.registration import service
from lti_tool.registry.models import Platform as PlatformRow
from tests.support.lms import LaunchDriver


def _link(db: Session) -> str:
    link = service.create_link(db, base_url="http://127.0.0.1:5000", valid_for=timedelta(hours=1))
    db.commit()
    return link


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _register(client: FlaskClient, lms: Platform, link: str) -> tuple[int, str]:
    start = client.get(_path(lms.registration_start(link)))
    if start.status_code != 200:
        return start.status_code, start.get_data(as_text=True)
    page = start.get_data(as_text=True)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page))
    done = client.post("/lti/register", data={k: unescape(v) for k, v in fields.items()})
    return done.status_code, done.get_data(as_text=True)


def test_registration_creates_a_platform_that_can_launch(
    client: FlaskClient, db: Session, lms: Platform
) -> None:
    status, page = _register(client, lms, _link(db))

    assert status == 200, page[:800]
    assert "Microbridge is registered" in page
    assert "registration_close.js" in page  # posts org.imsglobal.lti.close
    row = db.scalar(select(PlatformRow))
    assert row is not None
    assert row.issuer == lms.issuer and row.flavour == lms.flavour
    tool = lms.get_tool(row.client_id)
    assert tool.jwks_url == "http://127.0.0.1:5000/.well-known/jwks.json"
    assert tool.redirect_uris == ["http://127.0.0.1:5000/lti/launch"]
    if lms.flavour == "moodle":
        assert [d.deployment_id for d in row.deployments] == [tool.deployment_id]
    else:
        assert row.auto_register_deployments  # Canvas tells deployment ids only at launch
        assert tool.privacy_level == "public"
    # Both land the tool pending (Moodle) or disabled (Canvas) until an admin turns it on.
    lms.activate(row.client_id)

    course = lms.add_course(title="Registered Course")
    teacher = lms.add_user("Rosalind", "Franklin")
    lms.enrol(course, teacher, "Instructor")
    assert LaunchDriver(client, lms).launch(tool, teacher, course).status_code == 200


def test_a_registration_link_works_once(client: FlaskClient, db: Session, lms: Platform) -> None:
    link = _link(db)
    assert _register(client, lms, link)[0] == 200

    status, page = _register(client, lms, link)
    assert status == 403
    assert "already used" in page


def test_registration_needs_a_link(client: FlaskClient, lms: Platform) -> None:
    start = client.get(_path(lms.registration_start("http://127.0.0.1:5000/lti/register?rt=guess")))
    assert start.status_code == 403
    assert "not valid" in start.get_data(as_text=True)


def test_an_expired_link_is_refused(client: FlaskClient, db: Session, lms: Platform) -> None:
    link = service.create_link(db, base_url="http://127.0.0.1:5000", valid_for=timedelta(hours=-1))
    db.commit()
    status, page = _register(client, lms, link)
    assert status == 403 and "expired" in page


def test_canvas_developer_key_json(client: FlaskClient) -> None:
    config = client.get("/lti/canvas.json").get_json()
    assert config["oidc_initiation_url"] == "http://127.0.0.1:5000/lti/login"
    assert config["public_jwk_url"] == "http://127.0.0.1:5000/.well-known/jwks.json"
    assert config["extensions"][0]["privacy_level"] == "public"
    placements = {p["placement"]: p for p in config["extensions"][0]["settings"]["placements"]}
    assert placements["link_selection"]["message_type"] == "LtiDeepLinkingRequest"
    assert placements["course_navigation"]["message_type"] == "LtiResourceLinkRequest"
