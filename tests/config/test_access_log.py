"""The access log `serve` writes: one Apache combined line per request, made in Python so
that the log hygiene cleans it (uWSGI's own request log, in C, is turned off)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from config import access_log
from config.logs import install_log_hygiene

STAMP = "[06/Dec/2026:18:00:00 +0000]"


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def logged(monkeypatch: pytest.MonkeyPatch) -> Iterable[tuple[logging.Logger, Lines]]:
    install_log_hygiene()  # as in serve's workers
    monkeypatch.setattr(access_log, "now", lambda: STAMP)
    logger = logging.getLogger("tests.access")
    logger.setLevel(logging.INFO)
    lines = Lines()
    logger.addHandler(lines)
    yield logger, lines
    logger.removeHandler(lines)


def answering(status: str, headers: list[tuple[str, str]]) -> Callable[..., Iterable[bytes]]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response(status, headers)
        return [b"body"]

    return app


def request(logged: tuple[logging.Logger, Lines], environ: dict[str, Any], status: str,
            headers: list[tuple[str, str]]) -> tuple[list[bytes], list[Any]]:
    logger, _lines = logged
    started: list[Any] = []
    app = access_log.with_access_log(answering(status, headers), logger)
    body = list(app(environ, lambda *args: started.append(args)))
    return body, started


def test_each_request_writes_one_combined_line(logged: tuple[logging.Logger, Lines]) -> None:
    body, started = request(logged, {
        "REQUEST_METHOD": "GET", "REQUEST_URI": "/course/project?x=1", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.7", "HTTP_USER_AGENT": "Mozilla/5.0 (X11)",
    }, "200 OK", [("Content-Type", "text/html"), ("Content-Length", "5120")])
    assert body == [b"body"]  # the answer is the app's, untouched
    assert started == [("200 OK", [("Content-Type", "text/html"), ("Content-Length", "5120")], None)]
    assert logged[1].lines == [
        f'10.0.0.7 - - {STAMP} "GET /course/project?x=1 HTTP/1.1" 200 5120 "-" "Mozilla/5.0 (X11)"'
    ]


def test_quotes_a_client_sent_cannot_close_a_field(logged: tuple[logging.Logger, Lines]) -> None:
    request(logged, {
        "REQUEST_METHOD": "POST", "REQUEST_URI": '/x"y', "SERVER_PROTOCOL": "HTTP/1.0",
        "REMOTE_ADDR": "127.0.0.1", "HTTP_REFERER": 'https://lms.example/"quoted"',
        "HTTP_USER_AGENT": 'a "quoted" agent',
    }, "303 SEE OTHER", [])
    assert logged[1].lines == [
        f'127.0.0.1 - - {STAMP} "POST /x\\"y HTTP/1.0" 303 - "https://lms.example/\\"quoted\\"" '
        '"a \\"quoted\\" agent"'
    ]


@pytest.mark.parametrize(("authorization", "user"), [
    ("Basic YWxpY2U6c2VjcmV0", "alice"),  # alice:secret
    ("Bearer eyJhbGciOiJSUzI1NiJ9", "-"),
    ("Basic not-base64!", "-"),
])
def test_the_user_is_basic_authentications_never_its_password(
    logged: tuple[logging.Logger, Lines], authorization: str, user: str
) -> None:
    request(logged, {"REQUEST_METHOD": "HEAD", "REQUEST_URI": "/", "SERVER_PROTOCOL": "HTTP/1.1",
                     "REMOTE_ADDR": "127.0.0.1", "HTTP_AUTHORIZATION": authorization}, "404 NOT FOUND", [])
    [line] = logged[1].lines
    assert line.startswith(f"127.0.0.1 - {user} {STAMP}")
    assert "secret" not in line


def test_secrets_and_control_characters_are_cleaned(logged: tuple[logging.Logger, Lines]) -> None:
    request(logged, {"REQUEST_METHOD": "GET", "REQUEST_URI": "/work?lt=abc123secret&x=1",
                     "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
                     "HTTP_USER_AGENT": "evil\nforged line"}, "200 OK", [("Content-Length", "2")])
    [line] = logged[1].lines
    assert "abc123secret" not in line and "lt=[redacted]&x=1" in line
    assert "\n" not in line and "evil\\nforged line" in line


def test_a_line_that_cannot_be_written_costs_nobody_their_answer(
    monkeypatch: pytest.MonkeyPatch, logged: tuple[logging.Logger, Lines]
) -> None:
    def broken(*_args: Any) -> str:
        raise RuntimeError("disk full")

    monkeypatch.setattr(access_log, "combined_line", broken)
    body, started = request(logged, {"REQUEST_METHOD": "GET"}, "200 OK", [])
    assert body == [b"body"] and started[0][0] == "200 OK"
    assert logged[1].lines == []
