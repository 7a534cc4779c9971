"""The one exception platform logic raises; app.py turns it into an HTTP response."""

from __future__ import annotations

from typing import Any


class PlatformError(Exception):
    """An HTTP error with a JSON (dict/list) or text body."""

    def __init__(
        self,
        status: int,
        body: dict[str, Any] | list[Any] | str,
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def oauth_error(status: int, error: str, description: str) -> PlatformError:
    """An OAuth2-style error body (RFC 6749 section 5.2)."""
    return PlatformError(status, {"error": error, "error_description": description})


def canvas_error(status: int, message: str) -> PlatformError:
    """Canvas API error shape: {"errors": [{"message": ...}]}."""
    return PlatformError(status, {"errors": [{"message": message}]})
