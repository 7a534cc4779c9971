"""Every answer of `serve` carries a Date header (RFC 9110, 6.6.1), as it did under gunicorn."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from email.utils import parsedate_to_datetime
from typing import Any

from config.date_header import http_date, with_date_header


def answering(headers: list[tuple[str, str]]) -> Callable[..., Iterable[bytes]]:
    def app(_environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response("200 OK", headers)
        return [b"ok"]

    return app


def headers_sent(app: Callable[..., Iterable[bytes]]) -> list[tuple[str, str]]:
    sent: list[Any] = []
    list(with_date_header(app)({}, lambda status, headers, exc_info=None: sent.append(headers)))
    return sent[0]


def test_an_answer_without_a_date_gets_the_current_one() -> None:
    headers = headers_sent(answering([("Content-Type", "text/plain")]))
    dates = [value for name, value in headers if name == "Date"]
    assert len(dates) == 1
    assert dates[0].endswith(" GMT")
    sent, now = (parsedate_to_datetime(d).timestamp() for d in (dates[0], http_date()))
    assert abs(sent - now) <= 1


def test_a_date_the_app_set_is_kept() -> None:
    headers = headers_sent(answering([("date", "Sun, 06 Dec 2026 18:00:00 GMT")]))
    assert headers == [("date", "Sun, 06 Dec 2026 18:00:00 GMT")]


def test_the_date_is_an_http_date_of_that_second() -> None:
    assert http_date(1796580000.9) == "Sun, 06 Dec 2026 18:00:00 GMT"
    assert http_date(1796580001.0) == "Sun, 06 Dec 2026 18:00:01 GMT"
