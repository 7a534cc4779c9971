"""The Redis transport keeps one Redis client per connection pool (config/broker_client.py):
messages still arrive, a replaced pool gets a client of its own, and a channel whose
connection is gone still fails the way celery survives (config/broker_fixes.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from kombu import Connection, Exchange, Queue

from config.broker_client import TRANSPORT
from config.broker_fixes import survive_restore_without_client
from tests.passback.workers import RedisServer, throwaway_redis

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None,
                                reason="needs redis-server to hold the messages")

QUEUE = Queue("shared-client", Exchange("shared-client"), "shared-client")


@pytest.fixture
def broker() -> Iterator[RedisServer]:
    with throwaway_redis() as server:
        yield server


def _publish(connection: Connection, body: dict[str, int]) -> None:
    with connection.Producer() as producer:
        producer.publish(body, exchange=QUEUE.exchange, routing_key="shared-client",
                         declare=[QUEUE])


def test_messages_published_through_one_shared_client_all_arrive(broker: RedisServer) -> None:
    connection = Connection(broker.url, transport=TRANSPORT)
    channel = connection.default_channel
    with channel.conn_or_acquire() as first, channel.conn_or_acquire() as second:
        assert first is second
    for number in range(3):
        _publish(connection, {"n": number})

    got = []
    while (message := channel.basic_get("shared-client", no_ack=True)) is not None:
        got.append(message.payload["n"])

    assert got == [0, 1, 2]


def test_a_replaced_pool_gets_its_own_client(broker: RedisServer) -> None:
    connection = Connection(broker.url, transport=TRANSPORT)
    channel = connection.default_channel
    with channel.conn_or_acquire() as before:
        pass
    channel._pool = None  # what kombu does when it drops its pools

    with channel.conn_or_acquire() as after:
        assert after is not before
        assert after.connection_pool is channel.pool
        assert after.ping()


def test_celery_publishes_through_it_for_a_redis_broker(broker: RedisServer) -> None:
    from config.celery_app import celery_app, configure_celery
    from config.settings import load_settings

    environ = {"MICROBRIDGE_SECRET_KEY": "x" * 32, "MICROBRIDGE_DATABASE_URL": "sqlite://"}
    configure_celery(load_settings(environ={**environ, "MICROBRIDGE_REDIS_URL": broker.url}))
    try:
        with celery_app.connection_for_write() as connection:
            assert connection.transport_cls == TRANSPORT
            assert type(connection.default_channel).__module__ == "config.broker_client"
    finally:  # no later test in this process publishes to the Redis this test stops
        configure_celery(load_settings(environ=environ))
    assert celery_app.conf.broker_transport is None  # the embedded default: kombu's memory


def test_acknowledging_on_a_closed_connection_is_still_a_connection_error(
    broker: RedisServer,
) -> None:
    assert survive_restore_without_client()
    connection = Connection(broker.url, transport=TRANSPORT)
    _publish(connection, {"n": 1})
    channel = connection.default_channel
    assert channel.basic_get("shared-client", no_ack=False) is not None
    [tag] = list(channel.qos._delivered)
    channel._pool = None
    channel.connection.client = None

    with pytest.raises(connection.connection_errors):
        channel.basic_ack(tag)
