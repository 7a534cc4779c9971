"""kombu's Redis transport, keeping one Redis client per connection pool instead of one per call.

kombu (5.7) builds a new ``redis.Redis`` around the channel's connection pool for every
command it sends outside the consumer's own client: each published task, and each delivered
message's bookkeeping and acknowledgement. Building one copies redis-py's table of response
callbacks (about 170 entries), measured at 86 µs: three times per delivered grade (one
publish, the unacked-index write, the ack). The client holds nothing but its pool and that
table (redis-py clients are safe to share between threads; every command takes a pool
connection), so this channel keeps the one it built for as long as its pool is the same.
A pool kombu replaced, or one it cannot build because the connection is gone
(config/broker_fixes.py), is asked for exactly as before: nothing about failures changes.

Used for ``redis://`` brokers (``broker_transport`` in config/celery_app.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kombu.transport import redis as kombu_redis


class Channel(kombu_redis.Channel):  # type: ignore[misc]
    _shared_client: Any = None

    @contextmanager
    def conn_or_acquire(self, client: Any = None) -> Iterator[Any]:
        if client:
            yield client
            return
        pool = self.pool  # as kombu would: a lost connection raises here
        shared = self._shared_client
        if shared is None or shared.connection_pool is not pool:
            shared = self._shared_client = self._create_client()  # type: ignore[no-untyped-call]
        yield shared


class Transport(kombu_redis.Transport):  # type: ignore[misc]
    Channel = Channel


TRANSPORT = f"{__name__}:Transport"
