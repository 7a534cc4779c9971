"""Authenticated calls to a platform's LTI services (AGS, NRPS), shared by web and workers.

Built on pylti1p3's ServiceConnector, with what it lacks (LTI-NOTES pitfalls 1, 4, 5, 6, 13):
access tokens cached in our store keyed by issuer, client id and scopes until shortly before
they expire; PUT and DELETE; Link-header paging that keeps cursors' case; URLs with a query
string (Moodle's ``?type_id=``) extended before the query; and errors sorted into "try again
later" and "will never work" so the outbox knows what to do. Failing to get an access token
is always "try again later", whatever the token endpoint answered: a 400 invalid_grant often
means only that the LMS could not fetch our key set just then (our web tier was busy or
restarting), and says nothing about the score. Only what the LMS answers about the score
itself can refuse it for good.

Every request goes through the egress policy (config/egress.py), and service URLs taken from
launch claims or Link headers must be on the platform's registered host: a platform cannot
send our bearer token, or us, anywhere else. What the platform answered is logged; users see
the status and at most a short plain-text reason, never the raw body or a network error.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from pylti1p3.exception import LtiServiceException
from pylti1p3.service_connector import ServiceConnector
from sqlalchemy.orm import Session

from config import egress, runtime
from config.store import KeyValueStore
from lti_tool.keys.service import SigningKey, signing_key
from lti_tool.registry.models import Platform
from lti_tool.registry.tool_conf import registration_for

TIMEOUT = (5, 20)
TOKEN_EARLY_EXPIRY = 60
TOKEN_MEMO_SECONDS = TOKEN_EARLY_EXPIRY / 2
"""How long a connector keeps a token it read from the store before asking the store again:
a Redis round trip per score saved, and still well before the margin above runs out."""
SHOWN_REASON_CHARS = 200
_NEXT_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?next"?', re.IGNORECASE)


class ServiceError(Exception):
    def __init__(self, message: str, *, status: int = 0, body: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class TransientServiceError(ServiceError):
    """Worth retrying later: timeouts, 5xx, 429, Canvas's 403 "Rate Limit Exceeded".

    ``may_have_arrived``: the platform may have acted on the request (a read timeout, a
    dropped connection, a 5xx other than 503): only a 429, a 503, a throttle or a connection
    never made say for sure that it did not.
    """

    def __init__(
        self, message: str, *, status: int = 0, body: str = "", retry_after: float | None = None,
        may_have_arrived: bool = False,
    ) -> None:
        super().__init__(message, status=status, body=body)
        self.retry_after = retry_after
        self.may_have_arrived = may_have_arrived


class PermanentServiceError(ServiceError):
    """The platform refused for good (for example 422 "not a student"): record, don't retry."""


@dataclass(frozen=True)
class ServiceResponse:
    status: int
    headers: dict[str, str]
    body: Any
    next_url: str | None


def add_path(url: str, segment: str) -> str:
    """Append a path segment before any query string: Moodle's line item URLs carry one."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/") + "/" + segment.lstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))


def next_link(link_header: str) -> str | None:
    """The rel="next" URL, exactly as sent: Canvas cursors are case-sensitive."""
    for part in link_header.split(","):
        match = _NEXT_LINK.search(part)
        if match:
            return match.group(1).strip()
    return None


def retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


class PlatformConnector(ServiceConnector):
    def __init__(
        self, platform: Platform, key: SigningKey, store: KeyValueStore, http: egress.EgressSession
    ) -> None:
        super().__init__(registration_for(platform, key), requests_session=http)
        self._platform = platform
        self._hosts = egress.hosts_of(
            [platform.issuer, platform.auth_login_url, platform.token_url, platform.jwks_url]
        )
        self._key = key
        self._store = store
        self._tokens: dict[str, tuple[float, str]] = {}
        self.tokens_fetched = 0

    # -- access tokens -------------------------------------------------------------------

    def _scope_key(self, scopes: Iterable[str]) -> str:
        # Canvas cloud shares one issuer among all institutions: the client id must be part
        # of the key or one institution could be handed another's token.
        raw = "|".join([self._platform.issuer, self._platform.client_id, *sorted(scopes)])
        return "lti-token:" + hashlib.sha256(raw.encode()).hexdigest()

    def _get_cached_access_token(self, scope_key: str) -> str | None:
        now = time.monotonic()
        memo = self._tokens.get(scope_key)
        if memo is not None and memo[0] > now:
            return memo[1]
        token = self._store.get(scope_key)
        if token is not None:
            self._tokens[scope_key] = (now + TOKEN_MEMO_SECONDS, token)
        return token

    def _forget_access_token(self, scope_key: str) -> None:
        self._tokens.pop(scope_key, None)
        self._store.delete(scope_key)

    def _cache_access_token(self, scope_key: str, access_token: str, expires_in: float) -> None:
        self.tokens_fetched += 1
        ttl = int(float(expires_in or 0)) - TOKEN_EARLY_EXPIRY
        if ttl > 0:
            self._store.put(scope_key, access_token, ttl)
            self._tokens[scope_key] = (time.monotonic() + min(TOKEN_MEMO_SECONDS, ttl), access_token)

    def encode_jwt(
        self, message: dict[str, str | int], private_key: str, headers: dict[str, str]
    ) -> str:
        return super().encode_jwt(message, private_key, {**headers, "kid": self._key.kid})

    def token(self, scopes: Sequence[str]) -> str:
        try:
            return self.get_access_token(list(scopes))
        except LtiServiceException as error:
            response = error.response
            egress.log_failure("access token", self._platform.token_url,
                               status=response.status_code, body=response.text)
            raise _transient(response, "getting an access token") from None
        except (KeyError, TypeError, ValueError):
            # A 200 without an access token in it: as much a failed renewal as a 5xx.
            raise TransientServiceError(
                "getting an access token: the LMS's answer held no access token"
            ) from None
        except egress.EgressRefused as error:
            egress.log_failure("access token", self._platform.token_url, error=error)
            raise PermanentServiceError(
                f"the LMS's token endpoint: {egress.describe(error)}"
            ) from None
        except requests.RequestException as error:
            egress.log_failure("access token", self._platform.token_url, error=error)
            raise TransientServiceError(
                f"the LMS's token endpoint failed: {egress.describe(error)}"
            ) from None

    # -- requests --------------------------------------------------------------------------

    def request(
        self,
        method: str,
        url: str,
        scopes: Sequence[str],
        *,
        body: Any = None,
        content_type: str = "application/json",
        accept: str = "application/json",
        timeout: tuple[float, float] = TIMEOUT,
    ) -> ServiceResponse:
        if not egress.shares_host(url, self._hosts):
            egress.log_failure(f"{method} service", url, error=egress.EgressRefused("foreign host"))
            raise PermanentServiceError(
                f"{method} refused: the LMS named a service address that is not on its "
                "registered host"
            )
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {self.token(scopes)}", "Accept": accept}
            data = None
            if body is not None:
                headers["Content-Type"] = content_type
                data = json.dumps(body)
            try:
                response = self._requests_session.request(
                    method, url, data=data, headers=headers, timeout=timeout
                )
            except egress.EgressRefused as error:
                egress.log_failure(f"{method} service", url, error=error)
                raise PermanentServiceError(f"{method} refused: {egress.describe(error)}") from None
            except requests.RequestException as error:
                egress.log_failure(f"{method} service", url, error=error)
                raise TransientServiceError(
                    f"{method} failed: {egress.describe(error)}",
                    may_have_arrived=not _never_sent(error),
                ) from None
            if response.status_code == 401:
                # A cached token the platform no longer honours: fetch a new one once. A fresh
                # token refused too is trouble with tokens, not with the score: try later.
                self._forget_access_token(self._scope_key(scopes))
                if attempt == 1:
                    continue
                raise _transient(response, f"{method} with a fresh access token")
            if response.status_code >= 400:
                egress.log_failure(f"{method} service", url, status=response.status_code,
                                   body=response.text)
                raise _classify(response, method)
            return ServiceResponse(
                status=response.status_code,
                headers=dict(response.headers),
                body=_json_or_none(response),
                next_url=next_link(response.headers.get("Link", "")),
            )
        raise AssertionError("unreachable")

    def pages(
        self, url: str, scopes: Sequence[str], *, accept: str = "application/json"
    ) -> Iterator[ServiceResponse]:
        """Every page, following rel="next" until there is none (a short page is not the end)."""
        seen: set[str] = set()
        next_url: str | None = url
        while next_url and next_url not in seen:
            seen.add(next_url)
            page = self.request("GET", next_url, scopes, accept=accept)
            yield page
            next_url = page.next_url


def _json_or_none(response: requests.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text


def _classify(response: requests.Response, what: str) -> ServiceError:
    status, reason = response.status_code, platform_reason(response)
    message = f"{what}: the platform answered {status} {reason}".strip()
    if status >= 500 or status in (408, 429) or _is_canvas_throttle(status, response.text[:1000]):
        return TransientServiceError(
            message, status=status, body=reason,
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
            may_have_arrived=status >= 500 and status != 503,
        )
    return PermanentServiceError(message, status=status, body=reason)


def _transient(response: requests.Response, what: str) -> TransientServiceError:
    status, reason = response.status_code, platform_reason(response)
    return TransientServiceError(
        f"{what}: the platform answered {status} {reason}".strip(), status=status, body=reason,
        retry_after=retry_after_seconds(response.headers.get("Retry-After")),
    )


def _never_sent(error: requests.RequestException) -> bool:
    """A connection that was never made: the request cannot have reached the platform."""
    return egress.never_connected(error)


_REASON_FIELDS = ("message", "error_description", "reason", "error", "detail")


def platform_reason(response: requests.Response) -> str:
    """The platform's own short reason ("User not found in course or is not a student"), if
    it gave one as JSON or plain text; never HTML or a long body, which stay in the log."""
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    reason = ""
    if content_type.endswith("json"):
        reason = _json_reason(_json_or_none(response))
    elif content_type == "text/plain":
        lines = response.text[:SHOWN_REASON_CHARS * 2].strip().splitlines()
        reason = lines[0] if lines else ""
    reason = "".join(c for c in reason if c.isprintable()).strip()
    return reason if len(reason) <= SHOWN_REASON_CHARS else ""


def _json_reason(body: Any) -> str:
    if isinstance(body, dict):
        for field in _REASON_FIELDS:
            value = body.get(field)
            if isinstance(value, str):
                return value
        return _json_reason(body.get("errors"))
    if isinstance(body, list) and body:
        return _json_reason(body[0])
    return ""


def _is_canvas_throttle(status: int, text: str) -> bool:
    # Canvas throttles with 403 "Rate Limit Exceeded", not 429 (LTI-NOTES pitfall 6).
    return status == 403 and "rate limit exceeded" in text.lower()


def connector_for(
    session: Session, store: KeyValueStore, *, platform_id: int,
    http: egress.EgressSession | None = None,
) -> PlatformConnector:
    platform = session.get(Platform, platform_id)
    if platform is None:
        raise PermanentServiceError(f"platform {platform_id} is no longer registered")
    if http is None:
        http = egress.http_session(runtime.current().settings)
    return PlatformConnector(platform, signing_key(session), store, http)
