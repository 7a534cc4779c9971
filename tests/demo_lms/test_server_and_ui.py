"""Serving: mounting under a prefix, the demo UI, the storage frame, state persistence."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import requests
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from lti_tool.demo_lms import Platform, create_platform_app, demo_platform, serve_in_thread
from lti_tool.demo_lms.persistence import load, save
from lti_tool.demo_lms.storage_frame import storage_script

from .conftest import FakeTool


def test_two_flavours_mounted_under_prefixes(fake_tool: FakeTool) -> None:
    canvas, moodle = Platform("canvas"), Platform("moodle")
    wsgi = DispatcherMiddleware(
        create_platform_app(canvas),
        {"/canvas": create_platform_app(canvas), "/moodle": create_platform_app(moodle)},
    )
    server = serve_in_thread(wsgi)
    try:
        canvas.base_url, moodle.base_url = server.url + "/canvas", server.url + "/moodle"
        assert canvas.jwks_url == server.url + "/canvas/api/lti/security/jwks"
        assert requests.get(canvas.jwks_url, timeout=5).json()["keys"]
        assert requests.get(moodle.jwks_url, timeout=5).json()["keys"]
        assert moodle.issuer == server.url + "/moodle"
        tool = moodle.register_tool(
            login_url=fake_tool.url + "/login",
            redirect_uris=[fake_tool.url + "/launch"],
            jwks_url=fake_tool.url + "/jwks",
            target_link_uri=fake_tool.url + "/launch",
        )
        course = moodle.add_course()
        url = moodle.line_items_url(course, tool)
        assert url.startswith(server.url + "/moodle/mod/lti/services.php/")
        token = moodle.issue_access_token(tool, ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"])
        assert requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=5).status_code == 200
    finally:
        server.shutdown()


@pytest.mark.parametrize("flavour", ["canvas", "moodle"])
def test_demo_pages(flavour: str, fake_tool: FakeTool) -> None:
    platform = demo_platform(flavour, "http://placeholder")
    server = serve_in_thread(create_platform_app(platform))
    platform.base_url = server.url
    try:
        tool = platform.register_tool(
            login_url=fake_tool.url + "/login",
            redirect_uris=[fake_tool.url + "/launch"],
            jwks_url=fake_tool.url + "/jwks",
            target_link_uri=fake_tool.url + "/launch",
        )
        course = next(iter(platform.state.courses.values()))
        link = platform.add_resource_link(course, tool, title="Acme project", score_maximum=10)
        browser = requests.Session()
        page = browser.get(server.url + "/", timeout=5).text
        assert "Ada Lovelace" in page and "Acme project" in page
        assert 'name="tool"' in page and "Add Microbridge activity" in page
        assert ('name="post_message_forwarding"' in page) == (flavour == "canvas")
        launch = browser.post(f"{server.url}/launch/{link.id}", allow_redirects=False, timeout=5)
        if flavour == "canvas":
            assert 'action="' + fake_tool.url + '/login"' in launch.text
            assert "lti_message_hint" in launch.text
        else:
            assert launch.status_code == 302 and launch.headers["Location"].startswith(
                fake_tool.url + "/login?"
            )
        dl = browser.post(
            server.url + "/deep-link", data={"client_id": tool.client_id}, allow_redirects=False
        )
        assert dl.status_code in (200, 302)
        assert browser.get(server.url + "/gradebook", timeout=5).status_code == 200
        admin_user = next(u for u in platform.state.users.values() if u.is_admin)
        browser.post(server.url + "/switch-user", data={"user_id": admin_user.user_id}, timeout=5)
        admin = browser.get(server.url + "/admin", timeout=5).text
        assert tool.client_id in admin
        started = browser.post(server.url + "/admin/register", data={"url": "http://tool.example/reg"})
        assert "openid_configuration=" in started.text and "org.imsglobal.lti.close" in started.text
        student = next(u for u in platform.state.users.values() if u.given_name == "Ada")
        browser.post(server.url + "/switch-user", data={"user_id": student.user_id}, timeout=5)
        assert "Add Microbridge activity" not in browser.get(server.url + "/", timeout=5).text
    finally:
        server.shutdown()


def test_storage_frame_is_served_on_canvas_only() -> None:
    canvas, moodle = Platform("canvas"), Platform("moodle")
    canvas_client = create_platform_app(canvas).test_client()
    assert "lti.put_data" in canvas_client.get("/post_message_forwarding").get_data(as_text=True)
    assert create_platform_app(moodle).test_client().get("/post_message_forwarding").status_code == 404


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the frame script")
def test_storage_script_answers_per_origin() -> None:
    prelude = """
    const sent = [];
    const window = {addEventListener: (type, fn) => { window.handler = fn; }};
    """
    driver = """
    function send(origin, data) {
      window.handler({origin, data, source: {postMessage: (m, target) => sent.push([m, target])}});
    }
    send("http://tool.a", {subject: "lti.capabilities", message_id: "1"});
    send("http://tool.a", {subject: "lti.put_data", message_id: "2", key: "state-abc", value: "abc"});
    send("http://tool.a", {subject: "lti.get_data", message_id: "3", key: "state-abc"});
    send("http://tool.b", {subject: "lti.get_data", message_id: "4", key: "state-abc"});
    send("http://tool.a", {subject: "lti.put_data", message_id: "5"});
    send("http://tool.a", {subject: "lti.unknown", message_id: "6"});
    console.log(JSON.stringify(sent));
    """
    harness = prelude + storage_script() + driver
    output = subprocess.run(["node", "-e", harness], capture_output=True, text=True, check=True, timeout=20)
    sent = json.loads(output.stdout)
    messages = {m["message_id"]: (m, target) for m, target in sent}
    capabilities, target = messages["1"]
    assert target == "http://tool.a"
    assert {"subject": "lti.put_data", "frame": "post_message_forwarding"} in capabilities[
        "supported_messages"
    ]
    assert messages["2"][0] == {
        "subject": "lti.put_data.response",
        "message_id": "2",
        "key": "state-abc",
        "value": "abc",
    }
    assert messages["3"][0]["value"] == "abc"
    assert messages["4"][0]["value"] is None and messages["4"][1] == "http://tool.b"
    assert messages["5"][0]["error"]["code"] == "bad_request"
    assert messages["6"][0]["error"]["code"] == "unsupported_subject"


def test_state_survives_a_save_and_load(tmp_path: Path) -> None:
    platform = demo_platform("canvas", "http://localhost:5001")
    tool = platform.register_tool(
        login_url="http://t/login",
        redirect_uris=["http://t/launch"],
        jwks_url="http://t/jwks",
        target_link_uri="http://t/launch",
    )
    course = next(iter(platform.state.courses.values()))
    link = platform.add_resource_link(course, tool, score_maximum=10)
    path = tmp_path / "lms.json"
    save(platform, str(path))
    again = Platform("canvas", base_url="http://localhost:5001")
    load(again, str(path))
    assert again.keys.current.kid == platform.keys.current.kid
    assert again.get_link(link.id).line_item_id == link.line_item_id
    assert again.get_course(course.id).members.keys() == course.members.keys()
    assert again.state.counters == platform.state.counters
    assert re.fullmatch(r"1000000000000\d", tool.client_id)
