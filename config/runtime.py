"""The process's shared resources: settings, engine, session factory, store.

The composition root (the web app factory, the Celery worker, the CLI) builds one Runtime
and hands it on; nothing here is a process-wide global. A request finds the runtime of the
app that serves it (``app.extensions``); a task or command outside a request finds the one
its entry point bound for the current context (``bound``), so two apps in one process never
see each other's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass, field

from flask import Flask, current_app, has_app_context
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from config.background import Background
from config.database import make_engine, make_session_factory
from config.settings import Settings
from config.store import KeyValueStore, make_store

EXTENSION = "microbridge"


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    store: KeyValueStore
    background: Background | None = field(default=None, kw_only=True)
    """Where in-process tasks run after the commit (the embedded default), else None."""

    def dispose(self) -> None:
        self.engine.dispose()


def build_runtime(settings: Settings) -> Runtime:
    """The ground floor's part; the composition root adds the other parts' services."""
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    rt = Runtime(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        store=make_store(engine, settings.redis_url),
    )
    if settings.run_tasks_in_background:
        rt.background = Background()
    return rt


# Outside a request: the runtime a worker, a command or a test bound for this context.
_bound: ContextVar[Runtime | None] = ContextVar("microbridge_runtime", default=None)


def of_app(app: Flask) -> Runtime:
    rt: Runtime = app.extensions[EXTENSION]
    return rt


def current() -> Runtime:
    """The runtime of the app serving this request, else the one bound for this context."""
    if has_app_context():
        return of_app(current_app)
    rt = _bound.get()
    if rt is None:
        raise RuntimeError(
            "No Microbridge runtime here: run inside the app, or bind one with runtime.bound()"
        )
    return rt


def bind(rt: Runtime) -> Token[Runtime | None]:
    """Make ``rt`` the runtime of this context (a worker process, a command, a thread)."""
    return _bound.set(rt)


@contextmanager
def bound(rt: Runtime) -> Iterator[Runtime]:
    token = bind(rt)
    try:
        yield rt
    finally:
        _bound.reset(token)
