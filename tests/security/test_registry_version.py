"""A platform switched off in one process is refused at the next login in every other, though
their caches still hold it as active for up to 30 s (lti_tool/registry/version.py).

The other process is ``microbridge serve`` on the same database and store (Redis in .ci/run's
second pass, the database store in the first); the change is made through this process's
admin page and command line, as an operator makes it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import Connection, update
from sqlalchemy.orm import Session

from config.settings import Settings
from config.store import KeyValueStore
from lti_tool.launch import login
from lti_tool.launch.errors import LaunchRejected
from lti_tool.registry import version
from lti_tool.registry.models import Platform as PlatformRow
from tests.security.portal import operator_login, page_token
from tests.support.lms import Installed, install_tool, running_platform
from tests.support.served import serving
from tests.support.store_entries import store_entries


@pytest.fixture
def installed(db: Session) -> Iterator[Installed]:
    with running_platform("canvas") as canvas:
        yield install_tool(db, canvas)


@pytest.fixture
def other_process(settings: Settings, tmp_path: Path) -> Iterator[str]:
    with serving(settings, tmp_path / "serve.log", redis_url=settings.redis_url) as base:
        yield base


def _params(installed: Installed) -> dict[str, str]:
    return {"iss": installed.platform.issuer, "login_hint": "1",
            "client_id": installed.tool.client_id,
            "target_link_uri": "http://127.0.0.1:5000/lti/launch"}


def _login_at(base: str, installed: Installed) -> requests.Response:
    return requests.post(base + "/lti/login", data=_params(installed), allow_redirects=False,
                         timeout=10)


def _switch(app: Flask, installed: Installed, *, on: bool) -> None:
    operator = operator_login(app)
    token = page_token(operator, "/admin/platforms")
    answer = operator.post(f"/admin/platforms/{installed.row_id}/active",
                           data={"active": "1" if on else "0", "csrf_token": token})
    assert answer.status_code == 303


def test_a_platform_switched_off_on_the_admin_page_is_refused_at_once_by_another_process(
    app: Flask, installed: Installed, other_process: str
) -> None:
    # The other process has read the platform as active and caches it for 30 s.
    assert _login_at(other_process, installed).status_code == 302
    _switch(app, installed, on=False)
    before = store_entries(app)

    refused = _login_at(other_process, installed)

    assert refused.status_code == 400
    assert "not registered" in refused.text
    assert "Set-Cookie" not in refused.headers
    assert store_entries(app) == before  # no state kept for it
    _switch(app, installed, on=True)
    assert _login_at(other_process, installed).status_code == 302


def test_another_change_to_the_registry_leaves_logins_working_everywhere(
    app: Flask, db: Session, installed: Installed, other_process: str
) -> None:
    assert _login_at(other_process, installed).status_code == 302
    with app.app_context():  # as the CLI runs it: a runtime is bound, the store is told
        from lti_tool.registry import service

        row = db.get(PlatformRow, installed.row_id)
        assert row is not None
        service.add_deployment(db, platform=row, deployment_id="another-deployment")
        db.commit()
    assert _login_at(other_process, installed).status_code == 302


def test_a_store_that_lost_the_version_costs_a_database_read_not_a_login(
    app: Flask, installed: Installed, other_process: str
) -> None:
    assert _login_at(other_process, installed).status_code == 302
    app.extensions["microbridge"].store.delete(version.KEY)  # Redis restarted empty
    assert _login_at(other_process, installed).status_code == 302
    # And a platform switched off while the version was gone is still refused.
    app.extensions["microbridge"].store.delete(version.KEY)
    _switch(app, installed, on=False)
    app.extensions["microbridge"].store.delete(version.KEY)
    assert _login_at(other_process, installed).status_code == 400


class _ChangingRegistry:
    """The real store, with the registry's version replaced just before every guarded put:
    as if an administrator kept editing registrations while the login runs. ``last_edit``
    runs before the second put, the last one the login tries."""

    def __init__(self, store: KeyValueStore, last_edit: Callable[[], object] = lambda: None) -> None:
        self.store, self.last_edit, self.puts = store, last_edit, 0

    def put_while(self, key: str, value: str, ttl: int, guard: str, expected: str) -> bool:
        self.puts += 1
        if self.puts == 2:
            self.last_edit()
        version.replace(self.store)
        return self.store.put_while(key, value, ttl, guard, expected)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def _begin(db: Session, store: Any, installed: Installed, opened: list[Connection]) -> str:
    engine = db.get_bind()

    def connect() -> Connection:
        opened.append(engine.connect())
        return opened[-1]

    return login.begin_login(db, connect, store, _params(installed),
                             launch_url="http://127.0.0.1:5000/lti/launch").state


def test_a_registry_that_keeps_changing_sends_the_login_to_the_database(
    app: Flask, db: Session, installed: Installed
) -> None:
    rt = app.extensions["microbridge"]
    opened: list[Connection] = []
    try:
        state = _begin(db, _ChangingRegistry(rt.store), installed, opened)
        assert len(opened) == 1  # the database answered for the platform
        assert rt.store.get(login.state_key(state)) is not None

        def switch_off_by_hand() -> None:  # in SQL: no commit hook tells the store
            with rt.engine.begin() as conn:
                conn.execute(update(PlatformRow).values(active=False))

        before = store_entries(app)
        with pytest.raises(LaunchRejected):
            _begin(db, _ChangingRegistry(rt.store, switch_off_by_hand), installed, opened)
        assert len(opened) == 2
        assert store_entries(app) == before
    finally:
        for connection in opened:
            connection.close()
