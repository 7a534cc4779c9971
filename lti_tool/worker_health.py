"""Is a Celery worker alive and consuming? A ping through the broker, for supervisors.

A worker that lost Redis keeps retrying; one whose consumer died or hung (the failure the
README's systemd unit and container healthcheck guard against) stops answering its control
queue, which is served by the same connection and event loop as the tasks. So an answer to
a ping is the liveness the supervisor needs; no answer within the timeout means restart it.
"""

from __future__ import annotations

import socket

from config.celery_app import configure_celery
from config.settings import Settings


def node_name(name: str) -> str:
    """Celery's ``%h`` (the host name), as ``celery worker -n`` expands it."""
    return name.replace("%h", socket.gethostname())


def ping(settings: Settings, *, node: str, timeout: float) -> tuple[bool, str]:
    """Whether ``node`` answered, and a line saying so for the operator."""
    if not settings.redis_url:
        return False, "no MICROBRIDGE_REDIS_URL: there is no worker to ping (tasks run in-process)"
    app = configure_celery(settings)
    name = node_name(node)
    try:
        replies = app.control.ping(destination=[name], timeout=timeout)
    except Exception as error:  # the broker is down or refuses us: no answer either way
        return False, f"no answer from {name}: the broker cannot be reached ({type(error).__name__})"
    if any(name in reply for reply in replies):
        return True, f"{name} answered"
    return False, f"no answer from {name} within {timeout:g} s"
