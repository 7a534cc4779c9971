"""A worker must not die when Redis goes away while it holds unacknowledged messages.

kombu 5.7 (with celery 5.7): on a lost connection, celery's consumer closes the broker
connection; closing the default channel restores its unacknowledged messages, which needs a
fresh Redis client, whose parameters kombu reads from the transport's ``client``. That is
already ``None`` by then, so the close raises ``AttributeError: 'NoneType' object has no
attribute 'hostname'`` (kombu/transport/redis.py ``_connparams``). It is not one of the
connection errors celery ignores while closing, so it escapes as an "Unrecoverable error" and
the worker exits (status 1) instead of reconnecting. It happens when a worker holds
prefetched or running ``acks_late`` messages at the moment Redis dies: 4 of 12 worker-cycles
with 2 workers x 4 processes in the issue 13 fault test; reproduced here with the same shape.
A second path dies the same way (``... has no attribute 'client'``): a task that finishes
after the reconnect is acknowledged (or rejected) on the closed connection's channel.
The same trace was reported against kombu 3.0 (celery/kombu#582) and the consumer's
reconnect path was reworked in celery/kombu#2007; it is back in 5.7.

The fix here: a restore that cannot even make a client is logged and skipped, so the channel
closes and the consumer reconnects; and a channel whose connection is closed raises a Redis
connection error, which celery handles (an ack it cannot send is logged), when asked for a
client. Nothing is lost by skipping it: the messages stay in
Redis's unacked set (restored after the visibility timeout) if Redis kept them, and either
way every task's row (score outbox, mail outbox) is the truth, which the sweeps queue again.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

log = logging.getLogger(__name__)

_PATCHED = "_microbridge_survives_lost_client"


def survive_restore_without_client() -> bool:
    """Patch kombu's Redis transport once per process; False if there is nothing to patch."""
    try:
        from kombu.transport import redis as kombu_redis
        from redis.exceptions import ConnectionError as RedisConnectionError
    except ImportError:  # no Redis transport installed: nothing to fix
        return False
    qos, channel = kombu_redis.QoS, kombu_redis.Channel
    restore, connparams = getattr(qos, "restore_unacked", None), getattr(channel, "_connparams", None)
    if restore is None or connparams is None:
        return False
    if getattr(restore, _PATCHED, False):
        return True

    @functools.wraps(restore)
    def restore_unacked(self: Any, client: Any = None) -> Any:
        if client is None and _lost(self.channel):
            log.warning("broker connection already closed: %s unacknowledged message(s) left "
                        "to Redis's visibility timeout and the outbox sweeps",
                        len(self._delivered))
            self._delivered.clear()
            return None
        return restore(self, client)

    @functools.wraps(connparams)
    def _connparams(self: Any, asynchronous: bool = False) -> Any:
        # An ack or reject arriving for a message of a connection closed meanwhile: a
        # connection error, which celery logs and survives, not an AttributeError it dies of.
        if _lost(self):
            raise RedisConnectionError("the broker connection of this channel is closed")
        return connparams(self, asynchronous)

    for patched in (restore_unacked, _connparams):
        setattr(patched, _PATCHED, True)
    qos.restore_unacked = restore_unacked  # type: ignore[method-assign]
    channel._connparams = _connparams  # type: ignore[method-assign]
    return True


def _lost(channel: Any) -> bool:
    transport = getattr(channel, "connection", None)
    return transport is None or getattr(transport, "client", None) is None
