"""Outages of the store (Redis) or the database answer 503 with Retry-After and a page a
person understands, logged once per interval instead of a traceback per request; /readyz
names the part that fails. No real outage is made: the URLs point where nothing listens."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from config.database import make_engine, make_session_factory
from config.outage import OutageLog, outages
from config.settings import Settings
from config.store import make_store
from lti_tool.demo_lms.platform import Platform
from tests.support.lms import install_tool

OUTAGE_LOGGER = "microbridge.outage"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(autouse=True)
def fresh_outage_log(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each test starts as a process would: nothing reported yet.
    monkeypatch.setattr(outages, "_last", {})
    monkeypatch.setattr(outages, "_quiet", {})


def _assert_unavailable_page(response: object) -> None:
    assert response.status_code == 503  # type: ignore[attr-defined]
    assert response.headers["Retry-After"] == "10"  # type: ignore[attr-defined]
    page = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert "Microbridge is briefly unavailable" in page
    assert "Nothing you sent was half-saved" in page
    assert "Something went wrong" not in page
    # Shown inside the LMS iframe like any other page.
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]  # type: ignore[attr-defined]


def _outage_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == OUTAGE_LOGGER or r.exc_info]


# -- the store -------------------------------------------------------------------------------


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_overrides(redis_url=f"redis://127.0.0.1:{_closed_port()}/0", tasks_eager=True)


def test_a_launch_with_the_store_down_answers_503_and_logs_once(
    client: FlaskClient, db: Session, canvas: Platform, caplog: pytest.LogCaptureFixture
) -> None:
    installed = install_tool(db, canvas)
    initiation = canvas.login_initiation(installed.tool, installed.student, installed.course)

    with caplog.at_level(logging.INFO):
        answers = [client.post("/lti/login", data=initiation.params) for _ in range(5)]

    for response in answers:
        _assert_unavailable_page(response)
    [record] = _outage_records(caplog)
    assert record.name == OUTAGE_LOGGER and record.exc_info is None
    assert record.getMessage().startswith("store unavailable: ConnectionError")


def test_readyz_names_the_store_when_it_is_down(client: FlaskClient) -> None:
    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.get_json() == {"status": "failing", "failing": ["store"]}
    assert client.get("/healthz").status_code == 200  # the process itself is alive


# -- the database -----------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def unreachable_database(request: pytest.FixtureRequest, app: Flask, tmp_path: Path) -> Iterator[Flask]:
    """The app, started on the test database, whose database then cannot be reached."""
    url = (f"sqlite:///{tmp_path}/no/such/folder/db.sqlite3" if request.param == "sqlite"
           else f"postgresql+psycopg://microbridge@127.0.0.1:{_closed_port()}/microbridge")
    rt = app.extensions["microbridge"]
    started = (rt.engine, rt.session_factory, rt.store)
    rt.engine = make_engine(url)
    rt.session_factory = make_session_factory(rt.engine)
    rt.store = make_store(rt.engine, "")
    yield app
    rt.engine.dispose()
    rt.engine, rt.session_factory, rt.store = started


def test_pages_with_the_database_down_answer_503_and_log_once(
    unreachable_database: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    client = unreachable_database.test_client()
    with caplog.at_level(logging.INFO):
        answers = [client.get("/lti/login", query_string={
            "iss": "https://lms.example", "login_hint": "u1", "client_id": "c1",
            "target_link_uri": "http://127.0.0.1:5000/lti/launch"}) for _ in range(3)]

    for response in answers:
        _assert_unavailable_page(response)
    [record] = _outage_records(caplog)
    assert record.getMessage().startswith("database unavailable: OperationalError")


def test_readyz_names_the_database_when_it_is_down(unreachable_database: Flask) -> None:
    response = unreachable_database.test_client().get("/readyz")

    assert response.status_code == 503
    # The embedded store lives in the database, so it fails with it.
    assert response.get_json() == {"status": "failing", "failing": ["database", "store"]}


# -- reporting ---------------------------------------------------------------------------------


def test_an_outage_is_reported_once_per_interval_with_a_count(caplog: pytest.LogCaptureFixture) -> None:
    log = OutageLog(interval=30)
    error = ConnectionError("refused")
    with caplog.at_level(logging.INFO):
        logged = [log.failed("store", error, now=t) for t in (0, 1, 2, 29, 31, 32)]

    assert logged == [True, False, False, False, True, False]
    messages = [r.getMessage() for r in caplog.records if r.name == OUTAGE_LOGGER]
    assert messages == ["store unavailable: ConnectionError: refused",
                        "store unavailable: ConnectionError: refused (3 more failures since the last report)"]
