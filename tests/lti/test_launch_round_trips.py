"""What a launch costs the database: every round trip to PostgreSQL is CPU in the tool (and in
PostgreSQL) on the path every learner takes, so the budget is pinned here, load-independent.

A learner's launch once warm (registration and platform caches filled): the login sends
PostgreSQL nothing (the registry's version, checked by the Redis command that stores the state,
stands for the platform's active flag: lti_tool/registry/version.py); the launch upserts the
person and the course, and its answer, the landing page, shows the names those upserts
returned: one statement, no pre-ping, no BEGIN/ROLLBACK around a read.
Counted at the driver (psycopg's public cursor and connection calls) against the real database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from flask import Flask

from tests.support.lms import Installed, LaunchDriver

pytestmark = pytest.mark.services  # PostgreSQL: the round trips are psycopg's


@contextmanager
def statements_sent() -> Iterator[list[str]]:
    """The statements psycopg sends while open, BEGIN, COMMIT and ROLLBACK included."""
    sent: list[str] = []
    execute, commit, rollback = psycopg.Cursor.execute, psycopg.Connection.commit, psycopg.Connection.rollback
    idle = psycopg.pq.TransactionStatus.IDLE

    def counted_execute(self: psycopg.Cursor[Any], query: Any, *args: Any, **kwargs: Any) -> Any:
        if not self.connection.autocommit and self.connection.info.transaction_status == idle:
            sent.append("BEGIN")
        sent.append(" ".join(str(query).split())[:80])
        return execute(self, query, *args, **kwargs)

    def ending(name: str, call: Any) -> Any:
        def counted(self: psycopg.Connection[Any]) -> Any:
            if self.info.transaction_status != idle:
                sent.append(name)
            return call(self)
        return counted

    psycopg.Cursor.execute = counted_execute  # type: ignore[method-assign]
    psycopg.Connection.commit = ending("COMMIT", commit)  # type: ignore[method-assign]
    psycopg.Connection.rollback = ending("ROLLBACK", rollback)  # type: ignore[method-assign]
    try:
        yield sent
    finally:
        psycopg.Cursor.execute = execute  # type: ignore[method-assign]
        psycopg.Connection.commit = commit  # type: ignore[method-assign]
        psycopg.Connection.rollback = rollback  # type: ignore[method-assign]


def test_a_learners_launch_is_one_statement_and_its_login_none(
    app: Flask, installed: Installed, driver: LaunchDriver
) -> None:
    for _ in range(2):  # the first fills the caches; the second is every launch after it
        driver.client = app.test_client()  # a fresh browser: no launch cookie from before
        initiation = installed.platform.login_initiation(
            installed.tool, installed.student, installed.course)
        with statements_sent() as login:
            started = driver.login(initiation)
        fields = driver.authorize(started)
        with statements_sent() as launch:
            response = driver.post_launch(fields)
        assert response.status_code == 200

    assert login == [], login
    assert len(launch) == 1, launch
    assert launch[0].startswith("WITH person_row AS (INSERT"), launch
    # The landing page, from what the upserts returned: the course and the learner by name.
    page = response.get_data(as_text=True)
    assert installed.course.title in page, page
    assert installed.student.given_name in page, page
