"""Telling an outage of a backing service (database, store, broker) from a bug.

An outage is answered with 503 and Retry-After and logged once per interval per part, in one
line: thousands of requests failing the same way in a few seconds are one event, not
thousands of tracebacks. Anything else stays an unexpected error with its traceback.
"""

from __future__ import annotations

import logging
import threading
import time

import redis.exceptions
from kombu.exceptions import OperationalError as BrokerError
from sqlalchemy import exc as sa_exc

RETRY_AFTER_SECONDS = 10
LOG_INTERVAL_SECONDS = 30.0

DATABASE, STORE, BROKER = "database", "store", "broker"

# Connection refused or lost, a pool exhausted, SQLite's file locked or unreadable.
DATABASE_ERRORS: tuple[type[Exception], ...] = (
    sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError, sa_exc.DisconnectionError,
)
STORE_ERRORS: tuple[type[Exception], ...] = (
    redis.exceptions.ConnectionError, redis.exceptions.TimeoutError,
    redis.exceptions.BusyLoadingError,
)
BROKER_ERRORS: tuple[type[Exception], ...] = (BrokerError,)
OUTAGE_ERRORS = DATABASE_ERRORS + STORE_ERRORS + BROKER_ERRORS

log = logging.getLogger("microbridge.outage")


def unavailable_part(error: BaseException) -> str | None:
    """Which backing service ``error`` (or what caused it) says is unreachable, or None."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DATABASE_ERRORS):
            return DATABASE
        if isinstance(current, STORE_ERRORS):
            return STORE
        if isinstance(current, BROKER_ERRORS):
            return BROKER
        current = current.__cause__ or current.__context__
    return None


class OutageLog:
    """Logs the first failure of a part, then at most once per interval with a count."""

    def __init__(self, interval: float = LOG_INTERVAL_SECONDS) -> None:
        self._interval = interval
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}
        self._quiet: dict[str, int] = {}

    def failed(self, part: str, error: BaseException, *, now: float | None = None) -> bool:
        """Record one failure; True when this one was logged."""
        now = time.monotonic() if now is None else now
        with self._lock:
            last = self._last.get(part)
            if last is not None and now - last < self._interval:
                self._quiet[part] = self._quiet.get(part, 0) + 1
                return False
            self._last[part] = now
            quiet = self._quiet.pop(part, 0)
        also = f" ({quiet} more failures since the last report)" if quiet else ""
        log.error("%s unavailable: %s%s", part, describe(error), also)
        return True


def describe(error: BaseException) -> str:
    """The error's class and first line: what is down, never the statement or its parameters."""
    if isinstance(error, sa_exc.StatementError) and error.orig is not None:
        error = error.orig  # SQLAlchemy's text would carry the SQL and its bound values
    first_line = (str(error).strip().splitlines() or [""])[0][:200]
    return f"{type(error).__name__}: {first_line}"


outages = OutageLog()
