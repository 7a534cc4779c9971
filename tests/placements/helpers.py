"""Helpers for placement and deep linking tests: a listed catalog project, the tool served over
HTTP with the emulated LMS installed against it, and a browser walking the picker."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html import unescape
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from catalog.actors import Actor, ActorKind
from catalog.curation import service as curation
from catalog.curation.models import Decision
from catalog.employers import service as employers
from catalog.projects import service as projects
from catalog.projects.content import CriterionInput, LevelInput, ProjectContent
from catalog.projects.guardrails import DEFAULT_POLICY
from catalog.projects.models import ProjectRevision
from catalog.skills.service import normalise_all
from config.settings import Settings
from lti_tool.demo_lms.platform import Platform
from lti_tool.registry.models import Platform as PlatformRow
from tests.support.live import LiveTool, live_tool
from tests.support.lms import (
    Installed,
    LaunchDriver,
    form_fields,
    install_tool,
    landing_address,
    launch_token,
)

DL_REQUEST = "LtiDeepLinkingRequest"
DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
RUBRIC = (
    CriterionInput(title="Insight", levels=(LevelInput("Excellent", 10), LevelInput("Missing", 0))),
    CriterionInput(title="Communication", levels=(LevelInput("Clear", 5), LevelInput("Unclear", 1))),
)


def listed_project(
    db: Session, institution_id: int, *, title: str = "Churn dashboard for a subscription box",
    skills: tuple[str, ...] = ("SQL", "Python"), team_size: int = 1, org: str = "Harbor Analytics",
) -> ProjectRevision:
    """A project approved by the institution's curators: what the picker lists."""
    domain = re.sub(r"[^a-z]", "", org.lower()) + ".example"
    employer = employers.create_org(db, name=org, website=f"https://{domain}")
    member = employers.add_member(db, employer=employer, email=f"lead@{domain}", name=org + " lead")
    content = ProjectContent(
        title=title, summary=f"{title}: find out and show it on one page.",
        brief_md="We sell **monthly boxes**. Tell us why people cancel.",
        deliverables=("A dashboard", "A two-page memo"), skills=tuple(normalise_all(skills)),
        discipline="data", estimated_hours=30, work_mode="remote", compensation_type="paid",
        pay_amount=Decimal("900.00"), pay_currency="USD", team_size=team_size, capacity=3,
        window_start=date(2026, 1, 10), window_end=date(2026, 4, 30), rubric=RUBRIC,
    )
    project = projects.create(db, actor=employers.actor_for(member), content=content)
    projects.submit(db, actor=employers.actor_for(member), project_id=project.id,
                    institution_ids=[institution_id], policy=DEFAULT_POLICY)
    curator = Actor(kind=ActorKind.CURATOR, label="cura@demo.example", institution_id=institution_id)
    curation.decide(db, actor=curator, project_id=project.id, decision=Decision.APPROVED, note="",
                    policy=DEFAULT_POLICY, project_link=lambda pid: f"http://t/{pid}")
    db.commit()
    revision = projects.get(db, project.id).live
    assert revision is not None
    return revision


@dataclass
class Setup:
    """The emulated LMS installed against a live tool, and a listed project."""

    lms: Platform
    live: LiveTool
    installed: Installed
    driver: LaunchDriver
    client: FlaskClient
    revision: ProjectRevision

    @property
    def institution_id(self) -> int:
        return self.platform_row.institution_id or 0

    @property
    def platform_row(self) -> Any:
        return self.live.app.extensions["microbridge"].session_factory().get(
            PlatformRow, self.installed.row_id
        )


@contextmanager
def live_setup(db: Session, lms: Platform, settings: Settings) -> Iterator[Setup]:
    """The launches go to the live tool (the one the LMS knows), through its test client."""
    with live_tool(settings) as live:
        client = live.app.test_client()
        installed = install_tool(db, lms, tool_base=live.base_url)
        row = db.get(PlatformRow, installed.row_id)
        assert row is not None and row.institution_id is not None
        revision = listed_project(db, row.institution_id)
        db.commit()
        yield Setup(lms, live, installed, LaunchDriver(client, lms), client, revision)


def hidden_fields(html: str) -> dict[str, str]:
    return {
        unescape(name): unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)"', html)
    }


def query(location: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(location).query))


class Picker:
    """Plays the instructor in the LMS's deep linking dialog."""

    def __init__(self, setup: Setup, response: TestResponse) -> None:
        assert response.status_code == 200, response.get_data(as_text=True)[:800]
        self.setup = setup
        self.client = setup.client
        self.location = landing_address(response)
        self.token = launch_token(response)

    def page(self, **args: Any) -> TestResponse:
        return self.client.get("/lti/deep-linking", query_string={"lt": self.token, **args})

    def configure(self, *revision_ids: int) -> TestResponse:
        return self.client.get(
            "/lti/deep-linking/configure",
            query_string=[("lt", self.token), *[("revision", str(r)) for r in revision_ids]],
        )

    def respond(self, revision_ids: list[int], **fields: str) -> TestResponse:
        page = self.configure(*revision_ids)
        assert page.status_code == 200, page.get_data(as_text=True)[:800]
        hidden = hidden_fields(page.get_data(as_text=True))
        data: list[tuple[str, str]] = [(k, v) for k, v in hidden.items() if k != "revision"]
        data += [("revision", str(r)) for r in revision_ids]
        for i, _ in enumerate(revision_ids):
            defaults = {"title": f"Project {i}", "points": "50", "due": "", "team_size": "1",
                        "release_mode": "instructor"}
            for name, value in defaults.items():
                data.append((f"p{i}-{name}", fields.get(f"p{i}-{name}", value)))
        data += [(k, v) for k, v in fields.items() if not re.match(r"p\d+-", k)]
        return self.client.post("/lti/deep-linking/respond", data=MultiDict(data))

    def cancel(self) -> TestResponse:
        page = self.page()
        csrf = hidden_fields(page.get_data(as_text=True))["csrf_token"]
        return self.client.post("/lti/deep-linking/cancel", data={"lt": self.token, "csrf_token": csrf})


def send_to_lms(answer: TestResponse) -> tuple[str, str, requests.Response]:
    """Post the confirmation page's form to the LMS, over HTTP, as the browser does."""
    assert answer.status_code == 200, answer.get_data(as_text=True)[:800]
    action, fields = form_fields(answer.get_data(as_text=True))
    reply = requests.post(action, data={"JWT": fields["JWT"]}, timeout=10)
    return action, fields["JWT"], reply


def open_deep_linking(setup: Setup, **options: Any) -> Picker:
    response = setup.driver.launch(
        setup.installed.tool, setup.installed.instructor, setup.installed.course,
        message_type=DL_REQUEST, **options,
    )
    return Picker(setup, response)


def tool_jwks(setup: Setup) -> dict[str, Any]:
    reply = requests.get(setup.live.base_url + "/.well-known/jwks.json", timeout=10)
    reply.raise_for_status()
    body: dict[str, Any] = reply.json()
    return body


def refresh_roster(client: FlaskClient, location: str) -> TestResponse:
    """Press the dashboard's "Refresh the roster" button."""
    page = client.get(location).get_data(as_text=True)
    token = location.split("lt=")[1].split("&")[0]
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page[:500]
    path = location.split("?")[0] + "/roster"
    response = client.post(path, data={"lt": token, "csrf_token": found.group(1)})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return response
