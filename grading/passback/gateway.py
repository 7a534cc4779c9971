"""How many scores may be on their way to one LMS at once, across every worker and thread.

A slow LMS holds each delivery for as long as its timeout; without a limit its scores would
take every worker and starve the other platforms. A delivery first takes one of the
platform's ``passback_per_platform`` slots: a key in the shared store (Redis with workers, the
database when embedded) that expires on its own, so a killed worker's slot comes back. With no
slot free the row is left as it is and tried again shortly.
"""

from __future__ import annotations

import logging
import random
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from config.store import KeyValueStore

log = logging.getLogger(__name__)

CALLS_PER_DELIVERY = 3  # an access token, a result read, the score
SLOT_MARGIN_SECONDS = 15


def slot_seconds(timeout_seconds: int) -> int:
    """How long a slot is held at most: longer than a delivery can take."""
    return CALLS_PER_DELIVERY * (timeout_seconds + 4) + SLOT_MARGIN_SECONDS


@contextmanager
def platform_slot(
    store: KeyValueStore, platform_id: int, *, limit: int, hold_seconds: int
) -> Iterator[bool]:
    """Yield True holding one of the platform's slots, or False when all are taken.

    If the store cannot be reached the delivery goes ahead (True): a limit is not worth a
    grade waiting on Redis.
    """
    token = secrets.token_hex(8)
    try:
        taken = _take(store, platform_id, token, limit=max(1, limit), hold_seconds=hold_seconds)
    except Exception:  # the store is down: go ahead without a slot
        log.warning("passback slots unavailable; delivering without a limit", exc_info=True)
        yield True
        return
    if taken is None:
        yield False
        return
    try:
        yield True
    finally:
        _release(store, taken, token)


def _take(
    store: KeyValueStore, platform_id: int, token: str, *, limit: int, hold_seconds: int
) -> str | None:
    first = random.randrange(limit)  # spread the takers over the slots
    keys = [f"passback-slot:{platform_id}:{(first + number) % limit}" for number in range(limit)]
    return store.add_first(keys, token, hold_seconds)  # one round trip on Redis


def _release(store: KeyValueStore, key: str, token: str) -> None:
    try:
        store.delete_if(key, token)  # not a slot that expired and was taken by another
    except Exception:  # it expires on its own
        log.warning("could not release passback slot %s", key, exc_info=True)
