from __future__ import annotations

import threading

from flask import Flask

from microbridge.config.store import KeyValueStore


def _store(app: Flask) -> KeyValueStore:
    store: KeyValueStore = app.extensions["microbridge"].store
    return store


def test_take_gives_a_value_to_exactly_one_of_many_racing_callers(app: Flask) -> None:
    store = _store(app)
    store.put("nonce:race", "v", 60)
    winners: list[str] = []
    barrier = threading.Barrier(8)

    def racer() -> None:
        barrier.wait()
        value = store.take("nonce:race")
        if value is not None:
            winners.append(value)

    threads = [threading.Thread(target=racer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert winners == ["v"]


def test_add_refuses_a_key_that_is_already_there(app: Flask) -> None:
    store = _store(app)
    assert store.add("k", "1", 60) is True
    assert store.add("k", "2", 60) is False
    assert store.get("k") == "1"


def test_expired_entries_are_gone(app: Flask) -> None:
    store = _store(app)
    store.put("short", "x", -1)
    assert store.get("short") is None
    assert store.take("short") is None
    assert store.add("short", "y", 60) is True


def test_incr_counts_within_a_window(app: Flask) -> None:
    store = _store(app)
    assert [store.incr("rate:a", 60) for _ in range(3)] == [1, 2, 3]
    assert store.incr("rate:b", 60) == 1


def test_add_then_put_keeps_the_value_only_for_the_first_marker(app: Flask) -> None:
    store = _store(app)
    assert store.add_then_put("nonce:n1", 60, "data:a", "first", 60) is True
    assert store.get("data:a") == "first"
    assert store.add_then_put("nonce:n1", 60, "data:b", "second", 60) is False
    assert store.get("data:b") is None
    assert store.get("data:a") == "first"
