"""Info items: the employer, curator and operator pages are never framed (clickjacking);
the pages inside the LMS stay frameable; gunicorn trusts forwarded headers only from the
proxies a setting names, never from anyone."""

from __future__ import annotations

import os
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy.orm import Session

from catalog.curation import service as curation
from catalog.institutions.service import get_or_create
from config.settings import Settings
from lti_tool import cli
from tests.work.harness import School

from .portal import operator_login, sign_in_by_link


def _frame_ancestors(response: Any) -> str:
    policy = response.headers["Content-Security-Policy"]
    return next(p.strip() for p in policy.split(";") if p.strip().startswith("frame-ancestors"))


def test_portal_and_operator_pages_cannot_be_framed(app: Flask, db: Session,
                                                    canvas_course: School) -> None:
    anonymous = app.test_client()
    institution = get_or_create(db, name="Demo University")
    account = curation.create_account(db, institution_id=institution.id,
                                      email="cura@demo.example", name="Cura")
    db.commit()
    employer = sign_in_by_link(app, db, "employer", canvas_course.placed.employer.member.email)
    curator = sign_in_by_link(app, db, "curator", account.email)
    pages = [
        (anonymous, "/employer/sign-in"), (anonymous, "/employer/sign-up"),
        (anonymous, "/curator/sign-in"), (employer.client, "/employer/"),
        (employer.client, "/employer/team"), (employer.client, "/employer/reviews/"),
        (curator.client, "/curation/"), (operator_login(app), "/admin/platforms"),
    ]
    for client, path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert _frame_ancestors(response) == "frame-ancestors 'none'", path
        assert response.headers.get("X-Frame-Options") == "DENY", path


def test_pages_inside_the_lms_stay_frameable(canvas_course: School) -> None:
    student, instructor = canvas_course.student(), canvas_course.instructor()
    for user, path in ((student, f"/work/{canvas_course.placement_id}"),
                       (instructor, f"/work/{canvas_course.placement_id}/manage"),
                       (instructor, "/catalog/")):
        response = user.get(path)
        assert response.status_code == 200, path
        assert "'none'" not in _frame_ancestors(response), path


@pytest.mark.parametrize(("environ", "expected"), [
    ({}, "127.0.0.1"),
    ({"MICROBRIDGE_FORWARDED_ALLOW_IPS": "10.0.0.5,10.0.0.6"}, "10.0.0.5,10.0.0.6"),
])
def test_serve_trusts_forwarded_headers_only_from_the_configured_proxies(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], expected: str
) -> None:
    started: list[list[str]] = []
    monkeypatch.setattr(os, "execvp", lambda _file, argv: started.append(list(argv)))
    monkeypatch.setenv("MICROBRIDGE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MICROBRIDGE_INSTANCE_PATH", str(settings.instance_path))
    monkeypatch.setenv("MICROBRIDGE_SMTP_URL", "smtp://127.0.0.1:2525")  # serve requires a mail server
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(cli.main, ["serve", "--workers", "1"])
    assert result.exit_code == 0, result.output
    argv = started[0]
    assert argv[argv.index("--forwarded-allow-ips") + 1] == expected
    assert "*" not in argv
