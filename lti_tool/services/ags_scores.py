"""AGS 2.0 score publishing: grading's Gradebook port over the platform connector.

https://www.imsglobal.org/spec/lti-ags/v2p0#score-publish-service. The score goes to the line
item URL plus ``/scores`` (inserted before Moodle's ``?type_id=`` query), as
``application/vnd.ims.lis.v1.score+json`` (Moodle answers 400 to any other content type).
Canvas-only extensions (https://canvas.instructure.com/doc/api/score.html) are sent to Canvas
and left out for everyone else. Errors are sorted for the outbox: worth retrying
(GradebookUnavailable, with Retry-After) or refused for good (GradebookRefused, with the
platform's words).
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from sqlalchemy.orm import Session, sessionmaker

from config.store import KeyValueStore
from grading.ports import GradebookRefused, GradebookUnavailable, ScorePost
from lti_tool.registry.models import Flavour, Platform
from lti_tool.services.connector import (
    PermanentServiceError,
    PlatformConnector,
    ServiceError,
    TransientServiceError,
    add_path,
    connector_for,
)

SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_RESULT = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
MT_SCORE = "application/vnd.ims.lis.v1.score+json"
MT_RESULTS = "application/vnd.ims.lis.v2.resultcontainer+json"
CANVAS_EXTENSION_PREFIX = "https://canvas.instructure.com/"
CONNECTOR_SECONDS = 60.0


def score_body(post: ScorePost, *, canvas: bool) -> dict[str, Any]:
    """The JSON score; ``scoreMaximum`` always travels with ``scoreGiven`` (LTI-NOTES pitfall 12)."""
    body: dict[str, Any] = {
        "userId": post.user_id,
        "activityProgress": post.activity_progress,
        "gradingProgress": post.grading_progress,
        "timestamp": post.timestamp.isoformat(),
    }
    if post.score_given is not None:
        body["scoreGiven"] = post.score_given
        body["scoreMaximum"] = post.score_maximum
    elif post.score_maximum is not None:
        body["scoreMaximum"] = post.score_maximum
    if post.comment is not None:
        body["comment"] = post.comment
    for key, value in post.extensions.items():
        if key.startswith(CANVAS_EXTENSION_PREFIX) and not canvas:
            continue
        body[key] = value
    return body


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def _refused(error: ServiceError) -> GradebookRefused:
    words = error.body.strip() or str(error)
    return GradebookRefused(f"{error.status}: {words}"[:2000], status=error.status)


class AgsScores:
    """Publishes scores for every registered platform; one per process (web or worker)."""

    def __init__(
        self, session_factory: sessionmaker[Session], store: KeyValueStore,
        http: requests.Session | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._store = store
        self._http = http or requests.Session()
        self._http.headers["User-Agent"] = "Microbridge LTI tool"
        self._lock = threading.Lock()
        self._connectors: dict[int, tuple[float, PlatformConnector, bool]] = {}

    def _connector(self, platform_id: int) -> tuple[PlatformConnector, bool]:
        # Tokens live in the shared store (Redis with workers), keyed by issuer, client id and
        # scopes, so every task and process reuses them until shortly before they expire. The
        # connector itself (platform row, signing key) is kept for a minute: a rotated key
        # stays published for hours, so signing with the previous one meanwhile is fine.
        now = time.monotonic()
        with self._lock:
            cached = self._connectors.get(platform_id)
        if cached is not None and now - cached[0] < CONNECTOR_SECONDS:
            return cached[1], cached[2]
        # begin(): on a fresh install the first signing key is created here and must be
        # committed, or the JWKS the platform fetches would not hold it.
        with self._session_factory.begin() as session:
            connector = connector_for(session, self._store, platform_id=platform_id, http=self._http)
            platform = session.get(Platform, platform_id)
            canvas = platform is not None and platform.flavour == Flavour.CANVAS.value
        with self._lock:
            self._connectors[platform_id] = (now, connector, canvas)
        return connector, canvas

    def publish_score(self, *, platform_id: int, post: ScorePost) -> None:
        try:
            connector, canvas = self._connector(platform_id)
            connector.request(
                "POST", add_path(post.line_item_url, "scores"), [SCOPE_SCORE],
                body=score_body(post, canvas=canvas), content_type=MT_SCORE,
            )
        except TransientServiceError as error:
            raise GradebookUnavailable(str(error), retry_after=error.retry_after) from None
        except PermanentServiceError as error:
            raise _refused(error) from None

    def result_timestamp(
        self, *, platform_id: int, line_item_url: str, user_id: str
    ) -> datetime | None:
        """When the LMS last stored a score for this user on this line item, if it has one."""
        try:
            connector, _ = self._connector(platform_id)
            url = _with_query(add_path(line_item_url, "results"), user_id=user_id)
            page = connector.request("GET", url, [SCOPE_RESULT], accept=MT_RESULTS)
        except TransientServiceError as error:
            raise GradebookUnavailable(str(error), retry_after=error.retry_after) from None
        except PermanentServiceError as error:
            raise _refused(error) from None
        results = page.body if isinstance(page.body, list) else []
        stamps = [
            _parse(item.get("timestamp")) for item in results
            if isinstance(item, dict) and str(item.get("userId")) == user_id
        ]
        found = [stamp for stamp in stamps if stamp is not None]
        return max(found) if found else None


def _parse(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
