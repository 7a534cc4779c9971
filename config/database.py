"""Database Base, engine and session factory. Services flush; views and tasks commit, directly
or through the two helpers at the end (``commit_around``, ``transaction``)."""

from __future__ import annotations

import functools
import select
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, DateTime, Dialect, Engine, MetaData, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.types import TypeDecorator

# Stable constraint names keep Alembic diffs the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix__%(column_0_label)s",
    "uq": "uq__%(table_name)s__%(column_0_name)s",
    "ck": "ck__%(table_name)s__%(constraint_name)s",
    "fk": "fk__%(table_name)s__%(column_0_name)s__%(referred_table_name)s",
    "pk": "pk__%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both SQLite (which drops tzinfo) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class CreatedMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def make_engine(database_url: str, *, pool: bool = True, pool_size: int = 5) -> Engine:
    if database_url.startswith("sqlite"):
        options: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 30}}
        if not pool:
            options["poolclass"] = NullPool
        engine = create_engine(database_url, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "before_cursor_execute", _sqlite_begin_before_first_write)
        return engine
    # A short connect timeout: with the database unreachable a request fails (503) fast.
    connect_args = {"connect_timeout": 5} if database_url.startswith("postgresql") else {}
    engine = create_engine(
        database_url, pool_recycle=3600, pool_size=pool_size, max_overflow=10,
        connect_args=connect_args,
    )
    # A connection left in the pool across a database restart is replaced before use instead
    # of failing a request. Not with SQLAlchemy's pre-ping: that is a round trip to the
    # database on every checkout (three per launch), where asking the socket costs one poll.
    event.listen(engine, "checkout", _replace_if_closed_by_server)
    return engine


_HUNG_UP = select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP | select.POLLNVAL


def _replace_if_closed_by_server(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Refuse a pooled connection the server has closed: the pool connects afresh instead.

    A connection resting in the pool has nothing to read, as no query is in flight; readable
    means the server hung up (a restart or a crash sends the client an error, then closes the
    socket). Anything else readable there (we LISTEN for nothing) only costs a reconnection.
    A connection that fails later anyway goes through the 503 path, and the pool drops it.
    """
    if getattr(dbapi_connection, "closed", False):
        raise DisconnectionError("the pooled database connection is closed")
    try:
        descriptor = dbapi_connection.fileno()
    except Exception as error:  # the driver's own error for a closed connection, whichever
        raise DisconnectionError("the pooled database connection has no socket") from error
    poller = select.poll()
    poller.register(descriptor, _HUNG_UP)
    if poller.poll(0):
        raise DisconnectionError("the database closed this pooled connection")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is off: left on, it begins a transaction only
    # before INSERT/UPDATE/DELETE, so a SAVEPOINT opened first becomes the transaction and
    # releasing it commits at once. _sqlite_begin_before_first_write emits BEGIN instead.
    dbapi_connection.isolation_level = None
    # WAL lets the web and in-process tasks read while one writes; FKs are off by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


_SQLITE_READS = ("SELECT", "PRAGMA", "EXPLAIN")


def _sqlite_begin_before_first_write(
    conn: Connection, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool
) -> None:
    """BEGIN IMMEDIATE before a transaction's first write or savepoint, never for reads.

    Reads before the first write run on their own, as each statement does under PostgreSQL's
    READ COMMITTED. Beginning at the first read instead would hold a snapshot that a later
    write cannot upgrade once another writer commits ("database is locked" at once, whatever
    the busy timeout); IMMEDIATE takes the write lock up front, waiting out the busy timeout.
    Autocommit connections (the AUTOCOMMIT isolation level) never get a BEGIN.
    """
    raw = conn.connection.driver_connection
    if raw is None or raw.in_transaction or _reads(statement, context):
        return
    if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return
    raw.execute("BEGIN IMMEDIATE")


def _reads(statement: str, context: Any) -> bool:
    compiled = getattr(context, "compiled", None)
    if compiled is not None and (context.isinsert or context.isupdate or context.isdelete):
        return False
    return statement.lstrip()[:7].upper().startswith(_SQLITE_READS)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


class ReadOnlySessionError(RuntimeError):
    """A session of a read-only view tried to write: a programming error, never input."""


@event.listens_for(Session, "before_flush")
def _refuse_writes_when_read_only(session: Session, _context: Any, _instances: Any) -> None:
    # A read-only session autocommits: a flush would land statement by statement, unatomic.
    if session.info.get("read_only") and (session.new or session.dirty or session.deleted):
        raise ReadOnlySessionError("a read-only view tried to write to the database")


def first_row(
    connection: Connection, statement: ClauseElement, params: Mapping[str, Any]
) -> tuple[Any, ...] | None:
    """``connection.execute(statement, params).first()``, run on the driver's own cursor.

    For the statements every launch runs, where SQLAlchemy's execution path costs as much CPU
    as the query. Only on autocommit connections, and only for statements whose parameters
    and columns need no type conversion (integers, strings, aware datetimes on PostgreSQL).
    A lost connection is still invalidated, as SQLAlchemy would, so the pool drops it.
    """
    sql, names = _driver_sql(statement, connection.dialect)
    raw = connection.connection.driver_connection
    assert raw is not None, "the connection is closed"
    cursor = raw.cursor()
    try:
        cursor.execute(sql, params if names is None else [params[name] for name in names])
        row = cursor.fetchone()
    except connection.dialect.loaded_dbapi.Error as error:
        if connection.dialect.is_disconnect(error, raw, cursor):
            connection.invalidate(error)
        raise
    finally:
        cursor.close()
    return None if row is None else tuple(row)


@functools.lru_cache(maxsize=32)
def _driver_sql(statement: ClauseElement, dialect: Dialect) -> tuple[str, tuple[str, ...] | None]:
    compiled = statement.compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler)
    names = tuple(compiled.positiontup or ()) if compiled.positional else None
    return compiled.string, names


T = TypeVar("T")


def commit_around(session: Session, call: Callable[[], T]) -> T:
    """Commit, make ``call`` (a request to the LMS) with no transaction open, commit again.

    A slow LMS must not hold locks or a pooled connection, and what the call records (a line
    item, an error to show) is kept whatever happens next. For views and tasks that own the
    session; what was committed before the call stays, whatever the call does.
    """
    session.commit()
    result = call()
    session.commit()
    return result


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One session and transaction for a task or a command: commit on success, else roll back."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
