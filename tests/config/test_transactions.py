"""Transactions mean the same on SQLite and PostgreSQL: a rolled-back transaction takes its
released savepoints with it, autocommit connections commit each statement, and a transaction
that reads before it writes is not refused because another writer committed meanwhile."""

from __future__ import annotations

import threading
from datetime import timedelta

from flask import Flask
from sqlalchemy import Engine, select

from config.database import utcnow
from config.store import StoreEntry


def _engine(app: Flask) -> Engine:
    engine: Engine = app.extensions["microbridge"].engine
    return engine


def _keys(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(select(StoreEntry.key).order_by(StoreEntry.key)))


def _entry(key: str) -> StoreEntry:
    return StoreEntry(key=key, value="v", expires_at=utcnow() + timedelta(minutes=5))


def test_a_released_savepoint_is_undone_when_its_transaction_rolls_back(app: Flask) -> None:
    factory = app.extensions["microbridge"].session_factory
    session = factory()
    try:
        session.scalar(select(StoreEntry.key))  # a read first, as views do
        with session.begin_nested():
            session.add(_entry("inside-savepoint"))
        session.add(_entry("after-savepoint"))
        session.flush()
        assert _keys(_engine(app)) == []  # nothing visible before the commit
        session.rollback()
    finally:
        session.close()

    assert _keys(_engine(app)) == []


def test_a_rolled_back_savepoint_keeps_what_came_before_it(app: Flask) -> None:
    factory = app.extensions["microbridge"].session_factory
    with factory() as session:
        session.add(_entry("kept"))
        session.flush()
        nested = session.begin_nested()
        session.add(_entry("undone"))
        session.flush()
        nested.rollback()
        session.commit()

    assert _keys(_engine(app)) == ["kept"]


def test_an_autocommit_connection_commits_each_statement(app: Flask) -> None:
    engine = _engine(app)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(StoreEntry.__table__.insert().values(
            key="alone", value="v", expires_at=utcnow() + timedelta(minutes=5)))
        assert _keys(engine) == ["alone"]  # seen from another connection at once
        if engine.dialect.name == "sqlite":  # no BEGIN was sent for it (pysqlite's own flag)
            assert not conn.connection.driver_connection.in_transaction  # type: ignore[union-attr]


def test_a_read_then_write_is_not_refused_when_another_writer_committed_between(
    app: Flask,
) -> None:
    factory = app.extensions["microbridge"].session_factory
    read_done, other_done = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def other_writer() -> None:
        try:
            read_done.wait(10)
            with factory() as other:
                other.add(_entry("other"))
                other.commit()
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            other_done.set()

    thread = threading.Thread(target=other_writer)
    thread.start()
    with factory() as session:
        session.scalars(select(StoreEntry.key)).all()
        read_done.set()
        assert other_done.wait(10)
        session.add(_entry("mine"))
        session.commit()
    thread.join(10)

    assert errors == []
    assert _keys(_engine(app)) == ["mine", "other"]
