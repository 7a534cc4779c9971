"""Serve platforms over real HTTP: in a test thread, or as the demo LMS process."""

from __future__ import annotations

import argparse
import contextlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from . import persistence
from .app import create_platform_app
from .demo import demo_platform
from .platform import Platform

FLAVOURS = ("canvas", "moodle")


@dataclass
class RunningServer:
    """A WSGI server running in a daemon thread."""

    server: BaseWSGIServer
    thread: threading.Thread
    url: str

    def shutdown(self) -> None:
        """Stop serving and wait for the thread."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


class _QuietHandler(WSGIRequestHandler):
    """No access log: tests make thousands of requests."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


def serve_in_thread(app: Any, host: str = "127.0.0.1", port: int = 0, *, quiet: bool = True) -> RunningServer:
    """Serve a WSGI app on host:port (0 picks a free port) in a background thread."""
    handler = _QuietHandler if quiet else WSGIRequestHandler
    server = make_server(host, port, app, threaded=True, request_handler=handler)
    # A short poll interval makes shutdown() quick, which matters with a server per test.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"wsgi:{server.port}", daemon=True
    )
    thread.start()
    return RunningServer(server, thread, f"http://{host}:{server.port}")


def start_platform(
    flavour: str = "canvas", *, host: str = "127.0.0.1", port: int = 0, **options: Any
) -> tuple[Platform, RunningServer]:
    """Create a platform, serve it, and set its base_url to where it listens."""
    platform = Platform(flavour, **options)
    running = serve_in_thread(create_platform_app(platform), host, port)
    platform.base_url = running.url
    return platform, running


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo LMS: `python -m lti_tool.demo_lms --port 5001 --flavour canvas`."""
    args = _parser().parse_args(argv)
    flavours = FLAVOURS if args.flavour == "both" else (args.flavour,)
    root = f"http://{args.host}:{args.port}"
    apps: dict[str, Any] = {}
    for flavour in flavours:
        prefix = f"/{flavour}" if len(flavours) > 1 else ""
        platform = demo_platform(flavour, root + prefix)
        platform.suggested_tool_url = args.tool_url
        if args.state:
            _attach_state(platform, args.state, flavour if len(flavours) > 1 else None)
        apps[prefix] = create_platform_app(platform)
    wsgi: Any = apps[""] if "" in apps else DispatcherMiddleware(_index_app(apps), apps)
    server = make_server(args.host, args.port, wsgi, threaded=True)
    print(f"Demo LMS ({', '.join(flavours)}) on {root}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lti_tool.demo_lms")
    parser.add_argument("--host", default="localhost")
    parser.add_argument("--port", type=int, default=5001)
    parser.add_argument("--flavour", choices=[*FLAVOURS, "both"], default="canvas")
    parser.add_argument("--state", help="JSON file to keep the LMS data across restarts")
    parser.add_argument("--tool-url", default="http://127.0.0.1:5000", help="pre-filled in /admin")
    return parser


def _attach_state(platform: Platform, state: str, flavour: str | None) -> None:
    path = Path(state)
    if flavour:
        path = path.with_name(f"{path.stem}-{flavour}{path.suffix or '.json'}")
    if path.exists():
        persistence.load(platform, str(path))
    else:
        persistence.save(platform, str(path))
    platform.state_file = str(path)


def _index_app(apps: dict[str, Any]) -> Flask:
    index = Flask(__name__)
    links = "".join(f'<li><a href="{prefix}/">{prefix[1:]}</a></li>' for prefix in apps)

    @index.route("/")
    def home() -> str:
        return f'<!doctype html><html lang="en"><title>Demo LMS</title><ul>{links}</ul></html>'

    return index
