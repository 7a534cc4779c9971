"""What a bench may wipe: only the PostgreSQL database and the Redis database it made itself.

PostgreSQL and Redis on this machine are shared (tests, CI, other engineers' benches). A bench
gets a database named ``microbridge_bench_<bench>`` that it marks with a comment when it
creates it, and a Redis database number that it marks with a key. It recreates or flushes
only what carries its own mark; anything else (a database of that name made by someone else,
a Redis number holding other keys) stops the bench with a message instead.
"""

from __future__ import annotations

import fcntl
import re
import tempfile
from pathlib import Path
from typing import IO

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
REDIS_SERVER = "redis://127.0.0.1:6379"
OWNER_KEY = "microbridge-bench:owner"


def single_run(bench: str) -> IO[str]:
    """Hold this lock for the whole run: two runs of one bench would wipe each other's data."""
    handle = (Path(tempfile.gettempdir()) / f"microbridge-bench-{bench}.lock").open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise SystemExit(f"another run of the {bench} bench is going on; wait for it") from None
    return handle


def _mark(bench: str) -> str:
    return f"microbridge bench {bench}: safe to drop"


def database_name(bench: str) -> str:
    if not re.fullmatch(r"[a-z_]+", bench):
        raise ValueError(f"bench name {bench!r}: lowercase letters and underscores only")
    return f"microbridge_bench_{bench}"


def fresh_database(bench: str) -> str:
    """An empty database of this bench's own (dropped first only if this bench made it)."""
    from sqlalchemy import create_engine, text

    name = database_name(bench)
    engine = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            found = conn.execute(
                text("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = :n"),
                {"n": name},
            ).first()
            if found is not None:
                if found[0] != _mark(bench):
                    raise SystemExit(
                        f"database {name} exists and this bench did not make it (no bench mark): "
                        "left alone; drop it yourself if it is yours"
                    )
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            conn.execute(text(f"COMMENT ON DATABASE \"{name}\" IS '{_mark(bench)}'"))
    finally:
        engine.dispose()
    return f"{PG_SERVER}/{name}"


def drop_database(bench: str) -> None:
    """Drop this bench's database at the end, if it still carries the bench's mark."""
    from sqlalchemy import create_engine, text

    name = database_name(bench)
    engine = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            found = conn.execute(
                text("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = :n"),
                {"n": name},
            ).first()
            if found is not None and found[0] == _mark(bench):
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def claim_redis(bench: str, number: int) -> str:
    """Redis database ``number`` for this bench: empty it only if this bench marked it."""
    import redis

    if not 1 <= number <= 13:
        raise SystemExit("pick a Redis database number from 1 to 13 (0 and 15 are for others)")
    url = f"{REDIS_SERVER}/{number}"
    client = redis.Redis.from_url(url)
    owner = client.get(OWNER_KEY)
    if owner is not None and owner.decode() != bench:
        raise SystemExit(f"Redis database {number} is marked by the {owner.decode()} bench: "
                         "pick another with --redis-db")
    if owner is None and client.dbsize():
        raise SystemExit(f"Redis database {number} holds keys this bench did not write: "
                         "left alone; pick another with --redis-db")
    if owner is not None:
        client.flushdb()  # what a previous run of this very bench left (its mark says so)
    client.set(OWNER_KEY, bench)
    return url


def release_redis(bench: str, number: int) -> None:
    """Empty this bench's Redis database at the end (only while it still carries the mark)."""
    import redis

    client = redis.Redis.from_url(f"{REDIS_SERVER}/{number}")
    owner = client.get(OWNER_KEY)
    if owner is not None and owner.decode() == bench:
        client.flushdb()
