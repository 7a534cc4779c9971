"""A sealed network for egress tests: names resolve to what the test says, and any attempt to
connect anywhere but loopback fails the test without sending a packet."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask, Response, redirect

from lti_tool.demo_lms.server import serve_in_thread


def _test_services() -> set[tuple[str, int]]:
    """The Redis the PostgreSQL + Redis pass gives the app (its store connects to it)."""
    url = urlsplit(os.environ.get("MICROBRIDGE_TEST_REDIS_URL", ""))
    return {(url.hostname, url.port or 6379)} if url.hostname else set()


TEST_SERVICES = _test_services()


@dataclass
class SealedNetwork:
    names: dict[str, str] = field(default_factory=dict)
    connects: list[str] = field(default_factory=list)

    def forbidden_connects(self) -> list[str]:
        return [a for a in self.connects if not ipaddress.ip_address(a).is_loopback]


def _sockaddr(address: str, port: Any) -> tuple[int, tuple[Any, ...]]:
    ip = ipaddress.ip_address(address)
    if ip.version == 6:
        return socket.AF_INET6, (address, int(port or 0), 0, 0)
    return socket.AF_INET, (address, int(port or 0))


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> SealedNetwork:
    sealed = SealedNetwork()
    real_connect = socket.socket.connect

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        name = host.decode() if isinstance(host, bytes) else str(host)
        address = sealed.names.get(name, name)
        try:
            family, sockaddr = _sockaddr(address, port)
        except ValueError:
            raise socket.gaierror(socket.EAI_NONAME, f"{name} is not known here") from None
        return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr)]

    def connect(sock: socket.socket, address: Any) -> None:
        host = str(address[0])
        if (host, int(address[1])) in TEST_SERVICES:
            real_connect(sock, address)  # the test run's own Redis, not the tool's egress
            return
        sealed.connects.append(host)
        if not ipaddress.ip_address(host).is_loopback:
            # Fail closed: no packet leaves the machine, whatever the code under test does.
            raise AssertionError(f"the test tried to connect to {host}")
        real_connect(sock, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    return sealed


@dataclass
class Answering:
    url: str
    hits: list[str]


@contextmanager
def answering(status: int, body: str = "", *, content_type: str = "text/html",
              location: str = "") -> Iterator[Answering]:
    """A loopback server answering every request the same way (a redirect when location is set)."""
    app = Flask("answering")
    hits: list[str] = []

    @app.route("/", defaults={"path": ""}, methods=["GET", "POST"])
    @app.route("/<path:path>", methods=["GET", "POST"])
    def answer(path: str) -> Response:
        hits.append(path)
        if location:
            return redirect(location, code=status)  # type: ignore[return-value]
        return Response(body, status=status, content_type=content_type)

    server = serve_in_thread(app)
    try:
        yield Answering(server.url, hits)
    finally:
        server.shutdown()
