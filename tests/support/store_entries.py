"""How many entries the app's key-value store holds, Redis or the database store: a login
that is refused must leave this number as it found it."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from config.store import RedisStore, StoreEntry


def store_entries(app: Flask) -> int:
    rt = app.extensions["microbridge"]
    if isinstance(rt.store, RedisStore):
        return len(list(rt.store._redis.scan_iter("*")))
    with rt.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(StoreEntry)).scalar_one())
