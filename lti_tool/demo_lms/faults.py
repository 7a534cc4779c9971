"""Fault injection: make chosen requests fail (5xx, 429, Canvas's 403 rate limit).

A fault answers instead of the platform (the request is not processed), or, with
``after_applying``, once the platform has processed the request: the LMS applied the score
and then a gateway answered 502, or the tool gave up waiting (``delay_seconds`` longer than
its read timeout). Either way the tool cannot know whether its score landed.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

CANVAS_RATE_LIMIT_BODY = "403 Forbidden (Rate Limit Exceeded)"


@dataclass
class Fault:
    """Answer `times` matching requests (None: all) with this status, body and headers."""

    method: str
    path_contains: str
    status: int
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    times: int | None = 1
    hits: int = 0
    after_applying: bool = False
    delay_seconds: float = 0.0
    """Slept before answering: longer than the tool's read timeout, the tool sees a timeout."""

    def matches(self, method: str, path: str, *, after_applying: bool = False) -> bool:
        """Whether a request (path with query string) is one of this fault's targets."""
        wanted = self.method.upper() in ("*", method.upper())
        return (wanted and self.path_contains in path and self.after_applying == after_applying
                and (self.times is None or self.times > 0))

    def wait(self) -> None:
        if self.delay_seconds:
            time.sleep(self.delay_seconds)


class FaultInjector:
    """The faults of one platform; the app consults it before every request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.faults: list[Fault] = []

    def add(
        self,
        method: str,
        path_contains: str,
        status: int,
        *,
        body: str = "",
        headers: dict[str, str] | None = None,
        times: int | None = 1,
        after_applying: bool = False,
        delay_seconds: float = 0.0,
    ) -> Fault:
        """Fail the next `times` requests whose path contains path_contains."""
        fault = Fault(method, path_contains, status, body, dict(headers or {}), times,
                      after_applying=after_applying, delay_seconds=delay_seconds)
        with self._lock:
            self.faults.append(fault)
        return fault

    def rate_limit(self, path_contains: str, *, times: int | None = 1) -> Fault:
        """Canvas throttling: 403 with a rate-limit body, not 429."""
        headers = {"X-Rate-Limit-Remaining": "0.0", "X-Request-Cost": "50.0"}
        return self.add("*", path_contains, 403, body=CANVAS_RATE_LIMIT_BODY, headers=headers, times=times)

    def too_many_requests(self, path_contains: str, *, retry_after: int = 1, times: int = 1) -> Fault:
        """A 429 with Retry-After."""
        headers = {"Retry-After": str(retry_after)}
        return self.add("*", path_contains, 429, body="Too Many Requests", headers=headers, times=times)

    def applied_then_failed(
        self, path_contains: str, *, status: int = 502, delay_seconds: float = 0.0, times: int = 1
    ) -> Fault:
        """Process the request (apply the score), then answer ``status`` after a delay: a
        gateway error, or with a delay past the tool's timeout, a timeout."""
        return self.add("*", path_contains, status, body="Bad Gateway", times=times,
                        after_applying=True, delay_seconds=delay_seconds)

    def clear(self) -> None:
        """Remove every fault."""
        with self._lock:
            self.faults.clear()

    def take(self, method: str, path: str, *, after_applying: bool = False) -> Fault | None:
        """The first fault matching this request, counting the hit."""
        with self._lock:
            for fault in self.faults:
                if fault.matches(method, path, after_applying=after_applying):
                    fault.hits += 1
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None
