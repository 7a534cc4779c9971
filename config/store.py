"""A small key-value store with expiry for launch state, nonces, caches and rate limits.

Redis when ``MICROBRIDGE_REDIS_URL`` is set; the database otherwise (the embedded default).
Every operation is atomic on its own, so a nonce can be consumed exactly once even when many
web processes race for it. On SQLite the store writes on its own connection: commit the
request's session before writing to the store, or the two writers wait on each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

import redis
from sqlalchemy import Integer, String, Text, cast, delete, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import Executable

from config.database import Base, UTCDateTime, utcnow


class KeyValueStore(Protocol):
    def put(self, key: str, value: str, ttl: int) -> None: ...

    def add(self, key: str, value: str, ttl: int) -> bool:
        """Store only if absent; True when this call stored it."""
        ...

    def add_first(self, keys: Sequence[str], value: str, ttl: int) -> str | None:
        """``add`` to the first of ``keys`` that is absent, in one step; that key, or None
        when every one is taken (a slot of a limited resource, say)."""
        ...

    def put_while(self, key: str, value: str, ttl: int, guard: str, expected: str) -> bool:
        """``put`` only while ``guard`` holds ``expected``; True when this call stored it.

        A login stores its state this way while the registry is as it was when the platform
        was last read as active (lti_tool/registry/version.py): one round trip on Redis.
        """
        ...

    def get(self, key: str) -> str | None: ...

    def take(self, key: str) -> str | None:
        """Return and delete in one step: only one caller ever gets the value."""
        ...

    def delete(self, key: str) -> None: ...

    def delete_if(self, key: str, value: str) -> bool:
        """Delete ``key`` only while it still holds ``value``, in one step; True if deleted.

        A holder gives back what it took this way, never a successor's after its own expired.
        """
        ...

    def incr(self, key: str, ttl: int) -> int:
        """Count up; the window starts with the first count and lasts ``ttl`` seconds."""
        ...

    def add_then_put(self, marker: str, marker_ttl: int, key: str, value: str, ttl: int) -> bool:
        """Add ``marker`` if absent and only then put ``key``; False (nothing put) if present.

        A launch uses its nonce and keeps its data this way, in one round trip on Redis.
        """
        ...

    def take_then_add_then_put(
        self, key: str, marker: str, marker_ttl: int, put_key: str, value: str, ttl: int
    ) -> tuple[str | None, bool]:
        """``take(key)``; only if it was there, ``add_then_put`` the rest; in one step.

        Returns the taken value (None: nothing was there, nothing else done) and whether
        the marker was new. A launch uses up its state and its nonce this way.
        """
        ...


class StoreEntry(Base):
    __tablename__ = "store_entry"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class DatabaseStore:
    """Store rows in ``store_entry``; each call is its own short transaction."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert

    def put(self, key: str, value: str, ttl: int) -> None:
        with self._engine.begin() as conn:
            conn.execute(self._upsert(key, value, ttl))

    def put_while(self, key: str, value: str, ttl: int, guard: str, expected: str) -> bool:
        # No lock on the guard's row: a change committed between this read and the write is
        # the same race a check-then-write always has, and a lock would queue every login.
        with self._engine.begin() as conn:
            held = conn.execute(select(StoreEntry.value).where(
                StoreEntry.key == guard, StoreEntry.expires_at > utcnow())).scalar_one_or_none()
            if held != expected:  # a missing guard (None) never holds a version
                return False
            conn.execute(self._upsert(key, value, ttl))
        return True

    def _upsert(self, key: str, value: str, ttl: int) -> Executable:
        expires = utcnow() + timedelta(seconds=ttl)
        stmt = self._insert(StoreEntry).values(key=key, value=value, expires_at=expires)
        return stmt.on_conflict_do_update(
            index_elements=[StoreEntry.key], set_={"value": value, "expires_at": expires}
        )

    def add(self, key: str, value: str, ttl: int) -> bool:
        now = utcnow()
        try:
            with self._engine.begin() as conn:
                conn.execute(
                    delete(StoreEntry).where(StoreEntry.key == key, StoreEntry.expires_at <= now)
                )
                conn.execute(
                    insert(StoreEntry).values(
                        key=key, value=value, expires_at=now + timedelta(seconds=ttl)
                    )
                )
        except IntegrityError:
            return False
        return True

    def add_first(self, keys: Sequence[str], value: str, ttl: int) -> str | None:
        return next((key for key in keys if self.add(key, value, ttl)), None)

    def get(self, key: str) -> str | None:
        with self._engine.connect() as conn:
            return conn.execute(
                select(StoreEntry.value).where(
                    StoreEntry.key == key, StoreEntry.expires_at > utcnow()
                )
            ).scalar_one_or_none()

    def take(self, key: str) -> str | None:
        with self._engine.begin() as conn:
            row = conn.execute(
                delete(StoreEntry)
                .where(StoreEntry.key == key, StoreEntry.expires_at > utcnow())
                .returning(StoreEntry.value)
            ).first()
        return None if row is None else str(row[0])

    def delete(self, key: str) -> None:
        with self._engine.begin() as conn:
            conn.execute(delete(StoreEntry).where(StoreEntry.key == key))

    def delete_if(self, key: str, value: str) -> bool:
        with self._engine.begin() as conn:
            result = conn.execute(delete(StoreEntry).where(
                StoreEntry.key == key, StoreEntry.value == value, StoreEntry.expires_at > utcnow()))
        return bool(result.rowcount)

    def incr(self, key: str, ttl: int) -> int:
        now = utcnow()
        with self._engine.begin() as conn:
            conn.execute(
                delete(StoreEntry).where(StoreEntry.key == key, StoreEntry.expires_at <= now)
            )
            stmt = self._insert(StoreEntry).values(
                key=key, value="1", expires_at=now + timedelta(seconds=ttl)
            )
            counted = stmt.on_conflict_do_update(
                index_elements=[StoreEntry.key],
                set_={"value": cast(cast(StoreEntry.value, Integer) + 1, String)},
            ).returning(StoreEntry.value)
            return int(conn.execute(counted).scalar_one())

    def add_then_put(self, marker: str, marker_ttl: int, key: str, value: str, ttl: int) -> bool:
        if not self.add(marker, "1", marker_ttl):
            return False
        self.put(key, value, ttl)
        return True

    def take_then_add_then_put(
        self, key: str, marker: str, marker_ttl: int, put_key: str, value: str, ttl: int
    ) -> tuple[str | None, bool]:
        taken = self.take(key)
        if taken is None:
            return None, False
        return taken, self.add_then_put(marker, marker_ttl, put_key, value, ttl)

    def purge_expired(self) -> int:
        with self._engine.begin() as conn:
            result = conn.execute(delete(StoreEntry).where(StoreEntry.expires_at <= utcnow()))
        return int(result.rowcount or 0)


# KEYS: key to take, marker, key to put; ARGV: marker ttl, value, ttl.
_TAKE_THEN_ADD_THEN_PUT = """
local taken = redis.call('GETDEL', KEYS[1])
if not taken then
  return 0
end
if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then
  redis.call('SET', KEYS[3], ARGV[2], 'EX', ARGV[3])
  return {taken, 1}
end
return {taken, 0}
"""
# KEYS: key to put, guard; ARGV: value, ttl, the guard's expected value. A missing guard
# reads as false and never equals a string.
_PUT_WHILE = """
if redis.call('GET', KEYS[2]) == ARGV[3] then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
  return 1
end
return 0
"""
# KEYS: key; ARGV: value.
_DELETE_IF = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""
# KEYS: the candidates, in order; ARGV: value, ttl. Returns the key set, or nil.
_ADD_FIRST = """
for _, key in ipairs(KEYS) do
  if redis.call('SET', key, ARGV[1], 'NX', 'EX', ARGV[2]) then
    return key
  end
end
return nil
"""
# KEYS: marker, key; ARGV: marker ttl, value, ttl.
_ADD_THEN_PUT = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
  return 1
end
return 0
"""


class RedisStore:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client
        self._add_then_put = client.register_script(_ADD_THEN_PUT)
        self._take_then_add_then_put = client.register_script(_TAKE_THEN_ADD_THEN_PUT)
        self._delete_if = client.register_script(_DELETE_IF)
        self._put_while = client.register_script(_PUT_WHILE)
        self._add_first = client.register_script(_ADD_FIRST)

    @classmethod
    def from_url(cls, url: str) -> RedisStore:
        # A short connect timeout: with Redis unreachable a request fails (503) fast.
        return cls(redis.Redis.from_url(
            url, decode_responses=True, socket_timeout=5, socket_connect_timeout=2))

    def put(self, key: str, value: str, ttl: int) -> None:
        if ttl <= 0:  # already expired: Redis refuses a non-positive expiry
            self._redis.delete(key)
            return
        self._redis.set(key, value, ex=ttl)

    def add(self, key: str, value: str, ttl: int) -> bool:
        return bool(self._redis.set(key, value, ex=ttl, nx=True))

    def add_first(self, keys: Sequence[str], value: str, ttl: int) -> str | None:
        found = self._add_first(keys=list(keys), args=[value, ttl])
        return None if found is None else str(found)

    def put_while(self, key: str, value: str, ttl: int, guard: str, expected: str) -> bool:
        return bool(self._put_while(keys=[key, guard], args=[value, ttl, expected]))

    def get(self, key: str) -> str | None:
        value = self._redis.get(key)
        return None if value is None else str(value)

    def take(self, key: str) -> str | None:
        value = self._redis.getdel(key)
        return None if value is None else str(value)

    def delete(self, key: str) -> None:
        self._redis.delete(key)

    def delete_if(self, key: str, value: str) -> bool:
        return bool(self._delete_if(keys=[key], args=[value]))

    def incr(self, key: str, ttl: int) -> int:
        pipe = self._redis.pipeline()
        pipe.incr(key)
        pipe.expire(key, ttl, nx=True)
        count, _ = pipe.execute()
        return int(count)

    def add_then_put(self, marker: str, marker_ttl: int, key: str, value: str, ttl: int) -> bool:
        return bool(self._add_then_put(keys=[marker, key], args=[marker_ttl, value, ttl]))

    def take_then_add_then_put(
        self, key: str, marker: str, marker_ttl: int, put_key: str, value: str, ttl: int
    ) -> tuple[str | None, bool]:
        answer = self._take_then_add_then_put(
            keys=[key, marker, put_key], args=[marker_ttl, value, ttl]
        )
        if not answer:
            return None, False
        return str(answer[0]), bool(answer[1])

    def purge_expired(self) -> int:
        return 0  # Redis expires keys itself


def make_store(engine: Engine, redis_url: str) -> KeyValueStore:
    return RedisStore.from_url(redis_url) if redis_url else DatabaseStore(engine)
