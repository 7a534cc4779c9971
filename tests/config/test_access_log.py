"""The access log `serve` writes: gunicorn's combined line, built without gunicorn's dictionary of
every header and environ variable, and still the operator's own format when one is set."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger

from config.access_log import AccessLogger
from config.logs import install_log_hygiene

REQUESTS = [
    # (environ, status, bytes sent)
    ({"REQUEST_METHOD": "GET", "RAW_URI": "/course/project?x=1", "SERVER_PROTOCOL": "HTTP/1.1",
      "REMOTE_ADDR": "10.0.0.7", "HTTP_USER_AGENT": "Mozilla/5.0 (X11)"}, "200 OK", 5120),
    ({"REQUEST_METHOD": "POST", "RAW_URI": "/lti/launch", "SERVER_PROTOCOL": "HTTP/1.0",
      "HTTP_REFERER": 'https://lms.example/"quoted"', "HTTP_USER_AGENT": 'a "quoted" agent'},
     "303 SEE OTHER", 0),
    ({"REQUEST_METHOD": "HEAD", "RAW_URI": '/x"y', "SERVER_PROTOCOL": "HTTP/1.1",
      "REMOTE_ADDR": "127.0.0.1", "HTTP_AUTHORIZATION": "Basic YWxpY2U6c2VjcmV0"}, 404, None),
]


class Answer:
    def __init__(self, status: Any, sent: int | None) -> None:
        self.status, self.sent = status, sent
        self.headers = [("Content-Type", "text/html"), ("X-Quote", 'a"b')]


class Request:
    headers = [("HOST", "tool.example"), ("USER-AGENT", "ignored here")]


def lines(logger_class: type[Logger], tmp_path: Path, log_format: str = "") -> list[str]:
    config = Config()
    path = tmp_path / f"{logger_class.__name__}.log"
    config.set("accesslog", str(path))
    if log_format:
        config.set("access_log_format", log_format)
    logger = logger_class(config)
    logger.now = lambda: "[06/Dec/2026:18:00:00 +0000]"  # the two loggers log the same instant
    for environ, status, sent in REQUESTS:
        logger.access(Answer(status, sent), Request(), environ, timedelta(seconds=1, microseconds=5))
    for handler in logger.access_log.handlers:
        handler.close()
    return path.read_text().splitlines()


def test_the_lean_line_is_gunicorns_combined_line(tmp_path: Path) -> None:
    install_log_hygiene()  # as in serve's workers: both lines go through the same hygiene
    ours, gunicorns = lines(AccessLogger, tmp_path), lines(Logger, tmp_path)
    assert len(ours) == len(REQUESTS)
    assert ours == gunicorns
    assert ours[1].endswith('"POST /lti/launch HTTP/1.0" 303 0 "https://lms.example/\\"quoted\\"" '
                           '"a \\"quoted\\" agent"'), ours[1]
    assert ours[2] == '127.0.0.1 - alice [06/Dec/2026:18:00:00 +0000] "HEAD /x\\"y HTTP/1.1" 404 - "-" "-"'


@pytest.mark.parametrize("log_format", ['%(h)s %({x-quote}o)s %(D)s "%(r)s"', "%(m)s %(U)s %(p)s"])
def test_an_operators_own_format_is_still_gunicorns(tmp_path: Path, log_format: str) -> None:
    ours, gunicorns = lines(AccessLogger, tmp_path, log_format), lines(Logger, tmp_path, log_format)
    assert len(ours) == len(REQUESTS)
    assert ours == gunicorns

