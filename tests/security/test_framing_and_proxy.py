"""Info items: the employer, curator and operator pages are never framed (clickjacking);
the pages inside the LMS stay frameable; serve believes forwarded headers only from the
proxies a setting names, never from anyone."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from catalog.curation import service as curation
from catalog.institutions.service import get_or_create
from config.forwarded import with_forwarded_scheme
from config.settings import Settings
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


def _scheme_seen(allow_ips: str, remote_addr: str, forwarded: str | None) -> str:
    seen: list[str] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.append(environ["wsgi.url_scheme"])
        start_response("200 OK", [])
        return []

    environ = {"REMOTE_ADDR": remote_addr, "wsgi.url_scheme": "http"}
    if forwarded is not None:
        environ["HTTP_X_FORWARDED_PROTO"] = forwarded
    with_forwarded_scheme(app, allow_ips)(environ, lambda *_: None)
    return seen[0]


@pytest.mark.parametrize(("allow_ips", "remote_addr", "forwarded", "expected"), [
    ("127.0.0.1", "127.0.0.1", "https", "https"),  # the default: a proxy on the same machine
    ("127.0.0.1", "203.0.113.9", "https", "http"),  # anyone else is not believed
    ("10.0.0.5,10.0.0.6", "10.0.0.6", "https", "https"),
    ("10.0.0.0/24", "10.0.0.77", "https, http", "https"),  # the client's hop comes first
    ("10.0.0.5", "10.0.0.5", "gopher", "http"),  # not a scheme the tool speaks
    ("10.0.0.5", "10.0.0.5", None, "http"),
    ("*", "198.51.100.1", "https", "https"),  # only when an operator says so
])
def test_forwarded_scheme_is_believed_only_from_the_configured_proxies(
    allow_ips: str, remote_addr: str, forwarded: str | None, expected: str
) -> None:
    assert _scheme_seen(allow_ips, remote_addr, forwarded) == expected


def test_the_served_app_reads_its_proxies_from_the_settings(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """lti_tool.wsgi (what serve's workers load) wraps the app with the settings' proxies."""
    import importlib
    import sys

    monkeypatch.setenv("MICROBRIDGE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MICROBRIDGE_INSTANCE_PATH", str(settings.instance_path))
    monkeypatch.setenv("MICROBRIDGE_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("MICROBRIDGE_FORWARDED_ALLOW_IPS", "10.9.8.7")
    monkeypatch.delitem(sys.modules, "lti_tool.wsgi", raising=False)
    monkeypatch.setattr("gc.freeze", lambda: None)  # a test process keeps collecting
    served = importlib.import_module("lti_tool.wsgi").app
    monkeypatch.delitem(sys.modules, "lti_tool.wsgi")
    from flask import request

    served.add_url_rule("/scheme-probe", "scheme_probe", lambda: request.scheme)
    client = served.test_client()
    trusted = client.get("/scheme-probe", headers={"X-Forwarded-Proto": "https"},
                         environ_base={"REMOTE_ADDR": "10.9.8.7"})
    other = client.get("/scheme-probe", headers={"X-Forwarded-Proto": "https"},
                       environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert (trusted.text, other.text) == ("https", "http")
