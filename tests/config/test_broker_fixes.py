"""A worker whose Redis connection is gone while it holds an unacknowledged message closes
its channel and carries on (config/broker_fixes.py), instead of dying on kombu's
``AttributeError: 'NoneType' object has no attribute 'hostname'``."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from kombu import Connection, Exchange, Queue

from config.broker_fixes import survive_restore_without_client
from tests.passback.workers import RedisServer, throwaway_redis

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None,
                                reason="needs redis-server to hold the message")


@pytest.fixture
def broker() -> Iterator[RedisServer]:
    with throwaway_redis() as server:
        yield server


def _holding_one_message(url: str) -> Connection:
    connection = Connection(url)
    queue = Queue("held", Exchange("held"), "held")
    with connection.Producer() as producer:
        producer.publish({"outbox_id": 1}, exchange=queue.exchange, routing_key="held",
                         declare=[queue])
    channel = connection.default_channel
    assert channel.basic_get("held", no_ack=False) is not None  # delivered, not acknowledged
    # What celery's consumer finds when it closes the connection after Redis went away: the
    # channel's client pool is gone and its transport no longer knows its connection.
    channel._pool = None
    channel.connection.client = None
    return connection


def test_closing_a_channel_whose_connection_is_gone_does_not_raise(broker: RedisServer) -> None:
    assert survive_restore_without_client()
    connection = _holding_one_message(broker.url)
    channel = connection.default_channel

    channel.close()  # unpatched: AttributeError 'NoneType' object has no attribute 'hostname'

    assert channel.closed and not channel.qos._delivered


def test_the_patch_is_applied_once() -> None:
    from kombu.transport import redis as kombu_redis

    assert survive_restore_without_client()
    patched = kombu_redis.QoS.restore_unacked
    assert survive_restore_without_client()
    assert kombu_redis.QoS.restore_unacked is patched


def test_acknowledging_on_a_closed_connection_is_a_connection_error(broker: RedisServer) -> None:
    # A task finishing after the reconnect is acknowledged on its old channel: celery logs a
    # connection error and goes on; an AttributeError ended the worker.
    assert survive_restore_without_client()
    connection = _holding_one_message(broker.url)
    channel = connection.default_channel
    [tag] = list(channel.qos._delivered)

    with pytest.raises(connection.connection_errors):
        channel.basic_ack(tag)
