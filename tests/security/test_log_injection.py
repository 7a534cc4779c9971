"""L5: text a visitor sends never starts a log line of its own (no raw newlines or escapes)."""

from __future__ import annotations

import logging

import pytest
from flask.testing import FlaskClient

FORGED = "\r\n2026-12-06 09:00:00 INFO admin signed in\x1b[2J"


@pytest.mark.parametrize("probe", [
    {"iss": "https://lms.example" + FORGED, "login_hint": "x", "target_link_uri": "https://t/"},
    {"iss": "https://lms.example", "client_id": "c" + FORGED, "login_hint": "x" + FORGED},
])
def test_the_unauthenticated_login_cannot_forge_log_lines(
    client: FlaskClient, caplog: pytest.LogCaptureFixture, probe: dict[str, str]
) -> None:
    caplog.set_level(logging.DEBUG)
    for answer in (client.get("/lti/login", query_string=probe),
                   client.post("/lti/login", data=probe)):
        assert answer.status_code == 400
    assert caplog.records, "the refusal is logged"
    _assert_single_lines(caplog)


def test_paths_and_forms_cannot_forge_log_lines(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client.get("/employer/sign-in/%0d%0aforged%1b")
    client.post("/employer/sign-in", data={"email": "a@b.example" + FORGED})
    client.get("/work/1", query_string={"lt": "x" + FORGED})
    assert caplog.records
    _assert_single_lines(caplog)


def _assert_single_lines(caplog: pytest.LogCaptureFixture) -> None:
    for record in caplog.records:
        message = record.getMessage()
        assert not any(ch in message for ch in "\r\n\x1b"), repr(message)
    assert "\nadmin signed in" not in caplog.text
