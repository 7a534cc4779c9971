"""The tool served over real HTTP on a loopback port, for what the LMS calls back
(its token endpoint fetches our JWKS; deep linking responses are verified against it)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask
from werkzeug.serving import make_server

from config import runtime
from config.settings import Settings
from lti_tool.app import create_app


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LiveTool:
    app: Flask
    base_url: str


@contextmanager
def live_tool(settings: Settings) -> Iterator[LiveTool]:
    """A second app on the same database, served on its own port with a matching base URL.

    While it runs, what the test does outside a request (tasks, sweeps) uses its runtime,
    as a worker serving this tool would.
    """
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    app = create_app(settings.with_overrides(base_url=base_url))
    server = make_server("127.0.0.1", port, app, threaded=True)
    # A short poll interval makes shutdown() quick (the default, 0.5 s, was paid by every test
    # that serves the tool).
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        with runtime.bound(runtime.of_app(app)):
            yield LiveTool(app, base_url)
    finally:
        server.shutdown()
        thread.join(timeout=5)
