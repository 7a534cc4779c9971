"""Fixtures: a platform of each flavour served over loopback HTTP, and a fake tool."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import jwt
import pytest
import requests
from flask import Flask, jsonify

from lti_tool.demo_lms import (
    LineItem,
    Platform,
    ResourceLink,
    RunningServer,
    ToolRegistration,
    User,
    serve_in_thread,
    start_platform,
)
from lti_tool.demo_lms.keys import KeySet, SigningKey
from lti_tool.demo_lms.vocab import MT_SCORE

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@dataclass
class FakeTool:
    """A throwaway tool: an RSA key published by a tiny JWKS server."""

    url: str
    keys: list[SigningKey]
    jwks_hits: list[float] = field(default_factory=list)

    @property
    def key(self) -> SigningKey:
        return self.keys[-1]

    def sign(self, claims: dict[str, Any], *, key: SigningKey | None = None) -> str:
        key = key or self.key
        return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})

    def assertion(self, platform: Platform, tool: ToolRegistration, **overrides: Any) -> str:
        now = int(time.time())
        claims = {
            "iss": tool.client_id,
            "sub": tool.client_id,
            "aud": platform.token_url,
            "iat": now,
            "exp": now + 60,
            "jti": str(uuid.uuid4()),
        }
        claims.update(overrides)
        return self.sign({k: v for k, v in claims.items() if v is not None})


@pytest.fixture(scope="session")
def fake_tool() -> Iterator[FakeTool]:
    fake = FakeTool("", [SigningKey.generate("tool-key-1")])
    app = Flask("fake_tool")

    @app.route("/jwks")
    def jwks() -> Any:
        fake.jwks_hits.append(time.time())
        return jsonify({"keys": [key.public_jwk() for key in fake.keys]})

    server = serve_in_thread(app)
    fake.url = server.url
    yield fake
    server.shutdown()


@dataclass
class Env:
    """A served platform with one tool, a course, a teacher, three students, a graded link."""

    platform: Platform
    server: RunningServer
    fake: FakeTool
    tool: ToolRegistration
    teacher: User
    students: list[User]
    link: ResourceLink
    http: requests.Session

    @property
    def course(self) -> str:
        return self.link.course_id

    @property
    def item(self) -> LineItem:
        assert self.link.line_item_id is not None
        return self.platform.get_line_item(self.link.line_item_id)

    def token(self, scopes: list[str] | None = None) -> str:
        response = self.http.post(
            self.platform.token_url,
            data={
                "grant_type": "client_credentials",
                "client_assertion_type": JWT_BEARER,
                "client_assertion": self.fake.assertion(self.platform, self.tool),
                "scope": " ".join(scopes or self.tool.scopes),
            },
        )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def auth(self, scopes: list[str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(scopes)}"}

    def post_score(
        self, body: dict[str, Any], *, item: LineItem | None = None, content_type: str = MT_SCORE
    ) -> requests.Response:
        url = self.platform.scores_url(item or self.item)
        headers = {**self.auth(), "Content-Type": content_type}
        return self.http.post(url, data=json.dumps(body), headers=headers)


# RSA key generation dominates set-up time; platforms share one pre-made key (rotation still works).
PLATFORM_KEY = SigningKey.generate("platform-key-1")


def make_env(flavour: str, fake: FakeTool, **platform_options: Any) -> Env:
    platform_options.setdefault("keys", KeySet([PLATFORM_KEY]))
    platform, server = start_platform(flavour, **platform_options)
    tool = platform.register_tool(
        login_url=fake.url + "/login",
        redirect_uris=[fake.url + "/launch", fake.url + "/launch2"],
        jwks_url=fake.url + "/jwks",
        target_link_uri=fake.url + "/launch",
    )
    course = platform.add_course(title="Career Readiness 101", label="CR101")
    teacher = platform.add_user("Grace", "Hopper")
    platform.enrol(course, teacher, "Instructor")
    students = []
    for given, family in (("Ada", "Lovelace"), ("Alan", "Turing"), ("Katherine", "Johnson")):
        student = platform.add_user(given, family)
        platform.enrol(course, student, "Learner")
        students.append(student)
    link = platform.add_resource_link(course, tool, title="Project", score_maximum=10)
    return Env(platform, server, fake, tool, teacher, students, link, requests.Session())


@pytest.fixture
def canvas(fake_tool: FakeTool) -> Iterator[Env]:
    env = make_env("canvas", fake_tool)
    yield env
    env.server.shutdown()


@pytest.fixture
def moodle(fake_tool: FakeTool) -> Iterator[Env]:
    env = make_env("moodle", fake_tool)
    yield env
    env.server.shutdown()


@pytest.fixture(params=["canvas", "moodle"])
def env(request: pytest.FixtureRequest, fake_tool: FakeTool) -> Iterator[Env]:
    built = make_env(request.param, fake_tool)
    yield built
    built.server.shutdown()
