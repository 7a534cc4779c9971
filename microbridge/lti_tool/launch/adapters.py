"""Small adapters that let pylti1p3 run on our request data and our store.

pylti1p3 keeps state in cookies and nonces in a server session it only checks, never
consumes (LTI-NOTES pitfall 2). We capture what it generates and keep it ourselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pylti1p3.cookie import CookieService
from pylti1p3.redirect import Redirect
from pylti1p3.request import Request
from pylti1p3.session import SessionService


class FormRequest(Request):
    def __init__(self, params: Mapping[str, str], *, secure: bool) -> None:
        self._params = params
        self._secure = secure
        self._session: dict[str, Any] = {}

    @property
    def session(self) -> dict[str, Any]:
        return self._session

    def is_secure(self) -> bool:
        return self._secure

    def get_param(self, key: str) -> str:
        return str(self._params.get(key, "") or "")


class CapturingCookies(CookieService):
    """Records the cookies pylti1p3 wants; the view sets them with the right attributes."""

    def __init__(self, incoming: Mapping[str, str] | None = None) -> None:
        self.incoming = incoming or {}
        self.to_set: dict[str, str] = {}

    def get_cookie(self, name: str) -> str | None:
        return self.incoming.get(name)

    def set_cookie(self, name: str, value: str | int, exp: int | None = 3600) -> None:
        self.to_set[name] = str(value)


class CapturingSession(SessionService):
    """Records the nonce pylti1p3 generates instead of trusting its check-only store."""

    def __init__(self, request: Request) -> None:
        super().__init__(request)
        self.nonce = ""

    def save_nonce(self, nonce: str) -> None:
        self.nonce = nonce


class UrlRedirect(Redirect[str]):
    def __init__(self, location: str) -> None:
        self._location = location

    def do_redirect(self) -> str:
        return self._location

    def do_js_redirect(self) -> str:
        return self._location

    def set_redirect_url(self, location: str) -> None:
        self._location = location

    def get_redirect_url(self) -> str:
        return self._location
