"""PostgreSQL restarted under a running tool: 503 with Retry-After while it is down, and no
500 once it is back (pooled connections from before the restart are replaced, not used).

Runs in the PostgreSQL + Redis pass (marker ``services``) on a private cluster of its own
(tests/support/private_postgres.py): the shared server is never restarted.
"""

from __future__ import annotations

import time

import pytest
from flask.testing import FlaskClient

from config.migrate import upgrade
from config.settings import Settings
from lti_tool.app import create_app
from tests.support.private_postgres import private_postgres

pytestmark = pytest.mark.services

LOGIN = {"iss": "https://lms.example", "login_hint": "u1", "client_id": "c1",
         "target_link_uri": "http://127.0.0.1:5000/lti/launch"}


def _statuses(client: FlaskClient) -> list[int]:
    return [client.get("/.well-known/jwks.json").status_code,
            client.get("/lti/login", query_string=LOGIN).status_code,
            client.get("/readyz").status_code]


def test_a_database_restart_answers_503_while_down_and_no_500_after(settings: Settings) -> None:
    with private_postgres() as cluster:
        upgrade(cluster.url)
        # The store in the database too, so the database is the only thing that goes away.
        app = create_app(settings.with_overrides(database_url=cluster.url, redis_url=""))
        client = app.test_client()
        try:
            assert all(status < 500 for status in _statuses(client))

            cluster.stop()
            down = [client.get("/.well-known/jwks.json"), client.get("/lti/login", query_string=LOGIN)]
            assert [r.status_code for r in down] == [503, 503]
            assert all(r.headers.get("Retry-After") for r in down)
            assert client.get("/readyz").status_code == 503

            cluster.start()
            started = time.monotonic()
            after = [status for _ in range(10) for status in _statuses(client)]
            assert 500 not in after and all(status < 500 for status in after), after
            assert time.monotonic() - started < 30
        finally:
            app.extensions["microbridge"].dispose()


def test_a_restart_between_requests_costs_no_request(settings: Settings) -> None:
    """Nobody asked while the database was down: every pooled connection is dead, and the
    first requests after it is back are answered, not failed (503 or 500)."""
    with private_postgres() as cluster:
        upgrade(cluster.url)
        app = create_app(settings.with_overrides(database_url=cluster.url, redis_url=""))
        client = app.test_client()
        try:
            # Several pooled connections at once, as a busy worker holds them.
            assert all(status < 500 for status in _statuses(client))
            engine = app.extensions["microbridge"].engine
            held = [engine.connect() for _ in range(3)]
            for connection in held:
                connection.close()
            pooled = engine.pool.checkedin()
            assert pooled >= 3

            cluster.stop()
            cluster.start()

            after = [status for _ in range(pooled) for status in _statuses(client)]
            assert all(status < 500 for status in after), after
        finally:
            app.extensions["microbridge"].dispose()
