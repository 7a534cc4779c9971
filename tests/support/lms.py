"""The project's LTI platform emulator, served over real HTTP on loopback, and a driver that
walks launches through it the way a browser does."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import unescape
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from catalog.institutions.service import get_or_create
from lti_tool.demo_lms.app import create_platform_app
from lti_tool.demo_lms.platform import Platform
from lti_tool.demo_lms.server import serve_in_thread
from lti_tool.registry import service as registry
from lti_tool.registry.models import Platform as PlatformRow

TOOL_BASE = "http://127.0.0.1:5000"


@contextmanager
def running_platform(flavour: str, **options: Any) -> Iterator[Platform]:
    platform = Platform(flavour, **options)
    server = serve_in_thread(create_platform_app(platform))
    platform.base_url = server.url
    try:
        yield platform
    finally:
        server.shutdown()


@dataclass
class Installed:
    """The tool registered in the emulated LMS, and the LMS registered in the tool."""

    platform: Platform
    tool: Any
    row_id: int
    course: Any
    instructor: Any
    student: Any


def install_tool(
    db: Session, platform: Platform, *, tool_base: str = TOOL_BASE, privacy_level: str = "public",
    institution: str = "Demo University",
) -> Installed:
    tool = platform.register_tool(
        login_url=tool_base + "/lti/login",
        redirect_uris=[tool_base + "/lti/launch"],
        jwks_url=tool_base + "/.well-known/jwks.json",
        target_link_uri=tool_base + "/lti/launch",
        privacy_level=privacy_level,
    )
    inst = get_or_create(db, name=institution)
    row = registry.add_platform(
        db,
        issuer=platform.issuer,
        client_id=tool.client_id,
        auth_login_url=platform.auth_url,
        token_url=platform.token_url,
        jwks_url=platform.jwks_url,
        flavour=platform.flavour,
        deployment_ids=list(tool.deployment_ids),
        institution_id=inst.id,
    )
    db.commit()
    course = platform.add_course(title="Market Research Practicum")
    instructor = platform.add_user("Grace", "Hopper", email="grace@example.edu")
    student = platform.add_user("Ada", "Lovelace", email="ada@example.edu")
    platform.enrol(course, instructor, "Instructor")
    platform.enrol(course, student, "Learner")
    return Installed(platform, tool, row.id, course, instructor, student)


def row(db: Session, installed: Installed) -> PlatformRow:
    found = db.get(PlatformRow, installed.row_id)
    assert found is not None
    return found


def form_fields(html: str) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of the first form in an auto-submitting page."""
    action = re.search(r'<form[^>]*action="([^"]*)"', html)
    assert action, html[:500]
    fields = {
        unescape(name): unescape(value)
        for name, value in re.findall(r'<input[^>]*name="([^"]*)"[^>]*value="([^"]*)"', html)
    }
    return unescape(action.group(1)), fields


@dataclass
class Login:
    state: str
    nonce: str
    auth_url: str
    response: TestResponse


class LaunchDriver:
    """Plays the browser: tool login via the Flask client, the LMS's auth endpoint over HTTP."""

    def __init__(self, client: FlaskClient, platform: Platform) -> None:
        self.client = client
        self.platform = platform

    def login(self, initiation: Any) -> Login:
        path = urlsplit(initiation.url).path
        if initiation.method == "GET":
            response = self.client.get(path, query_string=initiation.params)
        else:
            response = self.client.post(path, data=initiation.params)
        assert response.status_code in (200, 302), response.get_data(as_text=True)[:500]
        if response.status_code == 302:
            auth_url = response.headers["Location"]
        else:  # platform-storage page: the auth URL is where its script goes next
            match = re.search(r'data-next="([^"]*)"', response.get_data(as_text=True))
            assert match
            auth_url = unescape(match.group(1))
        query = dict(parse_qsl(urlsplit(auth_url).query))
        return Login(query["state"], query["nonce"], auth_url, response)

    def authorize(self, login: Login) -> dict[str, str]:
        """The LMS's answer to the tool's auth request: the id_token form, over real HTTP."""
        answer = requests.get(login.auth_url, timeout=10)
        assert answer.status_code == 200, answer.text[:500]
        action, fields = form_fields(answer.text)
        assert action.endswith("/lti/launch")
        return fields

    def post_launch(self, fields: dict[str, str], *, client: FlaskClient | None = None) -> TestResponse:
        return (client or self.client).post("/lti/launch", data=fields)

    def launch(self, tool: Any, user: Any, course: Any, **options: Any) -> TestResponse:
        login = self.login(self.platform.login_initiation(tool, user, course, **options))
        return self.post_launch(self.authorize(login))


def landing_address(response: TestResponse) -> str:
    """Where a launch landed: the page its answer is (Content-Location), or a redirect's target
    (a launch that ends on another page, such as a deep-linking answer)."""
    return response.headers.get("Content-Location") or response.headers["Location"]


def launch_token(response: TestResponse) -> str:
    location = landing_address(response)
    return dict(parse_qsl(urlsplit(location).query))["lt"]
