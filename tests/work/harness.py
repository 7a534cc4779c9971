"""A course in the emulated LMS with Microbridge placed in it, and people who use it through
real launches: students and instructors in the iframe, employer reviewers in the portal."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import unescape
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from config.cookie_session import sign_in
from config.settings import Settings
from grading.people.models import Person
from lti_tool.demo_lms.platform import Platform
from tests.support.live import LiveTool, live_tool
from tests.support.lms import Installed, LaunchDriver, install_tool, launch_token, running_platform
from tests.work.factories import Employer, Placed, make_project, person_row, place


class LaunchedUser:
    """Someone inside the LMS iframe: every request names the launch session (no cookies)."""

    def __init__(self, app: Flask, token: str, user: Any) -> None:
        self.client: FlaskClient = app.test_client(use_cookies=False)
        self.token = token
        self.user = user
        self._csrf = ""

    @property
    def name(self) -> str:
        return f"{self.user.given_name} {self.user.family_name}"

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        if "lt=" in path:  # a Location the tool gave: it already names the session
            return self.client.get(path, **kwargs)
        return self.client.get(path, query_string={"lt": self.token}, **kwargs)

    def csrf(self) -> str:
        if not self._csrf:
            page = self.get("/work").get_data(as_text=True)
            found = re.search(r'name="csrf_token" value="([^"]+)"', page)
            if found is None:  # /work redirects; the project page has forms
                page = self.get(self.get("/work").headers.get("Location", "/work")).get_data(as_text=True)
                found = re.search(r'name="csrf_token" value="([^"]+)"', page)
            assert found, "no form with a CSRF token"
            self._csrf = unescape(found.group(1))
        return self._csrf

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> TestResponse:
        form = {"csrf_token": self.csrf(), **(data or {})}
        return self.client.post(path, query_string={"lt": self.token}, data=form, **kwargs)


@dataclass
class Reviewer:
    """An employer member signed in to the portal (a top-level browser with a session cookie)."""

    client: FlaskClient
    member_id: int
    _csrf: str = ""

    def get(self, path: str) -> TestResponse:
        # A click on the portal's own pages, as the browser labels it (Fetch Metadata).
        return self.client.get(path, headers={"Sec-Fetch-Site": "same-origin"})

    def post(self, path: str, data: dict[str, Any] | None = None) -> TestResponse:
        if not self._csrf:
            page = self.client.get("/employer/reviews/").get_data(as_text=True)
            found = re.search(r'name="csrf_token" value="([^"]+)"', page)
            assert found, page[:500]
            self._csrf = unescape(found.group(1))
        return self.client.post(path, data={"csrf_token": self._csrf, **(data or {})})


@dataclass
class School:
    app: Flask
    db: Session
    lms: Platform
    live: LiveTool
    installed: Installed
    placed: Placed
    people: dict[str, Person] = field(default_factory=dict)

    @property
    def placement_id(self) -> int:
        return self.placed.placement.id

    @property
    def item(self) -> str:
        return str(self.placed.link.line_item_id)

    def add_student(self, given: str, family: str) -> Any:
        user = self.lms.add_user(given, family, email=f"{given.lower()}@example.edu")
        self.lms.enrol(self.installed.course, user, "Learner")
        return user

    def launch(self, user: Any, **options: Any) -> LaunchedUser:
        client = self.app.test_client()
        response = LaunchDriver(client, self.lms).launch(
            self.installed.tool, user, self.installed.course, resource_link=self.placed.link, **options
        )
        # Launched: the answer is the landing page (whatever it says), or the landing page's
        # redirect (a choice of projects sends learners on to the choice).
        assert "Content-Location" in response.headers or response.status_code == 303, (
            response.get_data(as_text=True)[:500])
        launched = LaunchedUser(self.app, launch_token(response), user)
        self.people[launched.name] = person_row(self.db, self.installed, user)
        return launched

    def student(self, user: Any | None = None) -> LaunchedUser:
        """A learner who has launched and pressed Start."""
        launched = self.launch(user or self.installed.student)
        assert launched.post(f"/work/{self.placement_id}/start").status_code == 303
        return launched

    def instructor(self) -> LaunchedUser:
        return self.launch(self.installed.instructor)

    def reviewer(self, employer: Employer | None = None) -> Reviewer:
        employer = employer or self.placed.employer
        client = self.app.test_client()
        with self.app.test_request_context():
            pass
        with client.session_transaction() as session:
            session.clear()
        # Sign in the way the portal does after a magic link: the session names the member.
        with self.app.test_request_context("/"):
            from flask import session as flask_session

            sign_in("employer", employer.member.id)
            data = dict(flask_session)
        with client.session_transaction() as session:
            session.update(data)
        return Reviewer(client, employer.member.id)

    def submit(self, student: LaunchedUser, *, text: str = "My analysis of the café market.",
               links: str = "", files: list[tuple[bytes, str]] | None = None,
               token: str | None = None) -> TestResponse:
        data: dict[str, Any] = {"text": text, "links": links,
                                "form_token": token or _token(student, self.placement_id)}
        if files:
            data["files"] = [(io.BytesIO(content), name) for content, name in files]
        return student.post(f"/work/{self.placement_id}/submit", data=data,
                            content_type="multipart/form-data")


def _token(student: LaunchedUser, placement_id: int) -> str:
    page = student.get(f"/work/{placement_id}").get_data(as_text=True)
    found = re.search(r'name="form_token" value="([^"]+)"', page)
    assert found, "the project page has no submission form"
    return found.group(1)


@contextmanager
def school(db: Session, settings: Settings, flavour: str, **placement: Any) -> Iterator[School]:
    """A course in the emulated LMS with the live tool installed; people use the live app."""
    with running_platform(flavour) as lms, live_tool(settings) as live:
        installed = install_tool(db, lms, tool_base=live.base_url)
        employer = make_project(db, team_size=placement.get("team_size", 1))
        placed = place(db, installed, employer=employer, **placement)
        yield School(live.app, db, lms, live, installed, placed)


def other_employer(db: Session) -> Employer:
    return make_project(db, employer_name="Globex Corporation")
