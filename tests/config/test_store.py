from __future__ import annotations

import threading

from flask import Flask

from config.store import KeyValueStore


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


def test_delete_if_deletes_only_while_the_key_holds_that_value(app: Flask) -> None:
    store = _store(app)
    store.put("slot:1", "mine", 60)
    assert store.delete_if("slot:1", "theirs") is False
    assert store.get("slot:1") == "mine"
    assert store.delete_if("slot:1", "mine") is True
    assert store.get("slot:1") is None
    assert store.delete_if("slot:1", "mine") is False
    store.put("slot:2", "old", -1)  # expired: gone, whatever the value
    assert store.delete_if("slot:2", "old") is False
    assert store.add("slot:2", "new", 60) is True


def test_put_while_writes_only_while_the_guard_holds_that_value(app: Flask) -> None:
    store = _store(app)
    assert store.put_while("state:1", "s", 60, "guard", "v1") is False  # no guard: nothing
    assert store.get("state:1") is None
    store.put("guard", "v1", 60)
    assert store.put_while("state:1", "s", 60, "guard", "v2") is False
    assert store.get("state:1") is None
    assert store.put_while("state:1", "s", 60, "guard", "v1") is True
    assert store.get("state:1") == "s"
    store.put("guard", "v1", -1)  # expired: as good as gone
    assert store.put_while("state:2", "s", 60, "guard", "v1") is False
    assert store.get("state:2") is None


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


def test_take_then_add_then_put_does_nothing_more_when_there_is_nothing_to_take(app: Flask) -> None:
    store = _store(app)
    assert store.take_then_add_then_put("state:none", "nonce:a", 60, "data:a", "x", 60) == (None, False)
    assert store.add("nonce:a", "1", 60) is True  # the marker was not set
    assert store.get("data:a") is None


def test_take_then_add_then_put_takes_marks_and_keeps_once(app: Flask) -> None:
    store = _store(app)
    store.put("state:s1", "record", 60)
    store.put("state:s2", "record 2", 60)

    assert store.take_then_add_then_put("state:s1", "nonce:n", 60, "data:1", "d1", 60) == ("record", True)
    assert store.get("state:s1") is None and store.get("data:1") == "d1"
    # Another state with the same nonce: taken, but the marker is old and nothing is kept.
    assert store.take_then_add_then_put("state:s2", "nonce:n", 60, "data:2", "d2", 60) == (
        "record 2", False,
    )
    assert store.get("data:2") is None


def test_add_first_takes_the_first_free_key_once_and_none_when_all_are_taken(app: Flask) -> None:
    store = _store(app)
    keys = ["slot:0", "slot:1", "slot:2"]
    store.put("slot:0", "someone", 60)
    assert store.add_first(keys, "a", 60) == "slot:1"
    assert store.add_first(keys, "b", 60) == "slot:2"
    assert store.add_first(keys, "c", 60) is None
    assert [store.get(key) for key in keys] == ["someone", "a", "b"]


def test_add_first_gives_each_free_key_to_exactly_one_of_many_racing_callers(app: Flask) -> None:
    store = _store(app)
    keys = [f"race-slot:{n}" for n in range(3)]
    taken: list[str | None] = []
    barrier = threading.Barrier(8)

    def racer(name: str) -> None:
        barrier.wait()
        taken.append(store.add_first(keys, name, 60))

    threads = [threading.Thread(target=racer, args=(f"r{n}",)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(key for key in taken if key is not None) == keys
    assert taken.count(None) == 5
