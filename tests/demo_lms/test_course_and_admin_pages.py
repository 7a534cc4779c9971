"""The demo LMS's own pages: administration is for administrators (a 403 that says why and
offers the switch), the course page says to register a tool first, the tool frame is fitted by
a script served as a file that trusts only registered tools' origins, and a favicon."""

from __future__ import annotations

import html
import json
import re

import pytest
from flask.testing import FlaskClient

from lti_tool.demo_lms import Platform, create_platform_app, demo_platform

TOOL = "https://tool.example"


def _client(platform: Platform) -> FlaskClient:
    return create_platform_app(platform).test_client()


def _register(platform: Platform) -> str:
    """A tool registered by Dynamic Registration: waiting to be turned on."""
    tool = platform.register_tool(login_url=TOOL + "/lti/login", redirect_uris=[TOOL + "/lti/launch"],
                                  jwks_url=TOOL + "/jwks", target_link_uri=TOOL + "/lti/launch",
                                  active=False)
    return str(tool.client_id)


def _admin_id(platform: Platform) -> str:
    return next(u.user_id for u in platform.state.users.values() if u.is_admin)


@pytest.mark.parametrize("flavour", ["canvas", "moodle"])
def test_an_instructor_is_refused_the_admin_pages_and_offered_the_switch(flavour: str) -> None:
    platform = demo_platform(flavour, "http://lms.test")
    client_id = _register(platform)
    client = _client(platform)  # a fresh browser is the course's instructor

    refused = client.get("/admin")
    activate = client.post("/admin/activate", data={"client_id": client_id})
    register = client.post("/admin/register", data={"url": TOOL + "/reg"})

    page = refused.get_data(as_text=True)
    assert refused.status_code == 403 and "Only administrators open this page" in page
    assert "signed in as Grace Hopper" in page and "Switch to Margaret Hamilton (administrator)" in page
    assert activate.status_code == 403 and register.status_code == 403
    assert not platform.state.tools[client_id].active
    switched = client.post("/switch-user", data={"user_id": _admin_id(platform), "next": "admin"})
    assert switched.headers["Location"] == "http://lms.test/admin"
    assert client.get("/admin").status_code == 200


def test_the_user_switch_goes_to_named_pages_only() -> None:
    platform = demo_platform("moodle", "http://lms.test")
    answer = _client(platform).post("/switch-user", data={"user_id": _admin_id(platform),
                                                          "next": "https://evil.example/"})
    assert answer.headers["Location"] == "http://lms.test/"


@pytest.mark.parametrize("flavour", ["canvas", "moodle"])
def test_the_course_page_says_to_register_a_tool_first(flavour: str) -> None:
    platform = demo_platform(flavour, "http://lms.test")
    client = _client(platform)

    before = client.get("/").get_data(as_text=True)
    client_id = _register(platform)
    platform.activate(client_id)
    after = client.get("/").get_data(as_text=True)

    assert "Register Microbridge first" in before
    assert ("enable its key" if flavour == "canvas" else "activate it") in before
    assert "Register Microbridge first" not in after and "Add " in after
    student = next(u for u in platform.state.users.values() if u.given_name == "Ada")
    client.post("/switch-user", data={"user_id": student.user_id})
    platform.state.tools.clear()
    assert "Register Microbridge first" not in client.get("/").get_data(as_text=True)


def test_the_frame_script_is_a_file_and_trusts_only_registered_tools() -> None:
    platform = demo_platform("canvas", "http://lms.test")
    _register(platform)
    client = _client(platform)

    page = client.get("/").get_data(as_text=True)
    script = client.get("/course.js")

    origins = re.search(r'data-tool-origins="([^"]*)"', page)
    assert origins is not None and json.loads(html.unescape(origins.group(1))) == [TOOL]
    assert '<script src="http://lms.test/course.js" defer></script>' in page
    assert script.status_code == 200 and script.content_type.startswith("text/javascript")
    body = script.get_data(as_text=True)
    assert "lti.frameResize" in body and "event.source !== frame.contentWindow" in body


@pytest.mark.parametrize("flavour", ["canvas", "moodle"])
def test_a_favicon(flavour: str) -> None:
    platform = demo_platform(flavour, "http://lms.test")
    client = _client(platform)
    assert '<link rel="icon" href="http://lms.test/favicon.svg">' in client.get("/").get_data(as_text=True)
    icon = client.get("/favicon.svg")
    assert icon.status_code == 200 and icon.content_type == "image/svg+xml"
    assert icon.get_data(as_text=True).startswith("<svg")
