"""L2: secrets in URLs never reach a log line (the app's, werkzeug's or serve's access log).

A launch, a magic-link sign-in, an operator sign-in and a dynamic registration are run over
real HTTP against a served tool; then every captured line is searched for each secret.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from flask import Flask
from sqlalchemy.orm import Session

from lti_tool.registration import service as registration
from lti_tool.registry.admin import operator_link_token
from tests.work.harness import School

from .portal import newest_link

HIDDEN = re.compile(r'name="([^"]+)" value="([^"]*)"')


def _sign_in_over_http(base: str, db: Session, email: str) -> str:
    browser = requests.Session()
    page = browser.get(base + "/employer/sign-in", timeout=10).text
    fields = {k: unescape(v) for k, v in HIDDEN.findall(page)}
    asked = browser.post(base + "/employer/sign-in", data={**fields, "email": email}, timeout=10)
    assert asked.status_code == 200, asked.text[:300]  # followed to the "sent" page
    link = newest_link(db, "/employer/sign-in")
    confirm = browser.get(base + link, timeout=10)
    fields = {k: unescape(v) for k, v in HIDDEN.findall(confirm.text)}
    done = browser.post(base + link, data=fields, timeout=10)
    assert done.status_code == 200 and "Signed in as" in done.text, done.text[:300]
    return link.rsplit("/", 1)[1]


def _register_over_http(base: str, db: Session, school: School) -> tuple[str, str]:
    link = registration.create_link(db, base_url=base, valid_for=timedelta(hours=1))
    db.commit()
    start_url = school.lms.registration_start(link)
    browser = requests.Session()
    start = browser.get(start_url, timeout=10)
    fields = {k: unescape(v) for k, v in HIDDEN.findall(start.text)}
    browser.post(base + "/lti/register", data=fields, timeout=10)
    query = dict(parse_qsl(urlsplit(start_url).query))
    return query["rt"], query["registration_token"]


def _access_line(query: str, referer: str) -> str:
    """What serve's access log (config/access_log.py) writes for a request with these secrets."""
    from config.access_log import with_access_log

    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    logger = logging.getLogger("tests.access.redaction")
    logger.setLevel(logging.INFO)
    logger.addHandler(handler := Collect())
    environ = {"REQUEST_METHOD": "GET", "REQUEST_URI": "/work?" + query, "PATH_INFO": "/work",
               "QUERY_STRING": query, "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
               "HTTP_REFERER": referer, "HTTP_USER_AGENT": "test"}

    def answer(_environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Length", "10")])
        return [b"0123456789"]

    try:
        list(with_access_log(answer, logger)(environ, lambda *_: None))
    finally:
        logger.removeHandler(handler)
    return "\n".join(lines)


def test_no_secret_reaches_a_log_line(app: Flask, db: Session, canvas_course: School,
                                      caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    caplog.set_level(logging.DEBUG)
    base = canvas_course.live.base_url
    student = canvas_course.student()
    lt = student.token
    for path in ("/work", f"/work/{canvas_course.placement_id}", "/work/999999"):
        requests.get(base + path, params={"lt": lt}, timeout=10)
    magic = _sign_in_over_http(base, db, canvas_course.placed.employer.member.email)
    operator = operator_link_token(app.config["SECRET_KEY"])
    assert requests.get(base + "/admin/sign-in", params={"token": operator},
                        timeout=10).status_code == 200
    rt, registration_token = _register_over_http(base, db, canvas_course)
    access = _access_line(f"lt={lt}&x=1", f"{base}/employer/sign-in/{magic}")

    logged = caplog.text + access
    assert "/employer/sign-in/" in logged and "/work" in logged  # the lines are there
    for name, secret in {"lt": lt, "magic link": magic, "operator link": operator,
                         "registration link": rt, "registration token": registration_token}.items():
        assert secret[:24] not in logged, f"the {name} reached a log line"
