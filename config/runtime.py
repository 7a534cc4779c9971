"""The process's shared resources: settings, engine, session factory, store.

Built once per process by the composition root (the web app factory, the worker, the CLI);
tasks and services reach them here instead of through Flask's request.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from config.database import make_engine, make_session_factory
from config.settings import Settings
from config.store import KeyValueStore, make_store


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    store: KeyValueStore

    def dispose(self) -> None:
        self.engine.dispose()


_current: Runtime | None = None


def build_runtime(settings: Settings) -> Runtime:
    engine = make_engine(settings.database_url)
    return Runtime(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        store=make_store(engine, settings.redis_url),
    )


def install(runtime: Runtime) -> Runtime:
    global _current
    _current = runtime
    return runtime


def current() -> Runtime:
    if _current is None:
        raise RuntimeError("Microbridge's runtime is not set up in this process")
    return _current
