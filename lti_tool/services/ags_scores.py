"""AGS 2.0 score publishing: grading's Gradebook port over the platform connector.

https://www.imsglobal.org/spec/lti-ags/v2p0#score-publish-service. The score goes to the line
item URL plus ``/scores`` (inserted before Moodle's ``?type_id=`` query), as
``application/vnd.ims.lis.v1.score+json`` (Moodle answers 400 to any other content type).
Grading says what a score means (ScoreKind, the review link, keep the existing grade); this
adapter turns that into AGS progress values and, for Canvas only, its submission extension
(https://canvas.instructure.com/doc/api/score.html). Errors are sorted for the outbox: worth
retrying (GradebookUnavailable, with Retry-After, and whether the LMS may have applied the
score all the same: a timeout, a 502/504, a dropped connection), a timestamp conflict
(GradebookConflict: Moodle's 409, Canvas's 400 "before last updated"), or refused for good
(GradebookRefused, with the platform's words). ``find_score`` reads the learner's result back
(AGS results service) so that a score whose fate is unknown is not applied twice.
"""

from __future__ import annotations

import math
import threading
import time
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy.orm import Session, sessionmaker

from config import egress, runtime
from config.store import KeyValueStore
from grading.ports import (
    GradebookConflict,
    GradebookRefused,
    GradebookUnavailable,
    Holding,
    ScoreKind,
    ScorePost,
)
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
CANVAS_SUBMISSION = "https://canvas.instructure.com/lti/submission"
CONNECTOR_SECONDS = 60.0
SCORE_CONNECT_SECONDS = 3.05

# AGS activityProgress and gradingProgress per kind of score. A submission is PendingManual
# with no score: Moodle then leaves the grade alone, and Canvas does too with preserve_score.
_PROGRESS = {
    ScoreKind.SUBMITTED: ("Submitted", "PendingManual"),
    ScoreKind.GRADE: ("Completed", "FullyGraded"),
}


def score_body(post: ScorePost, *, canvas: bool) -> dict[str, Any]:
    """The JSON score; ``scoreMaximum`` always travels with ``scoreGiven`` (LTI-NOTES pitfall 12)."""
    activity, grading = _PROGRESS[post.kind]
    body: dict[str, Any] = {
        "userId": post.user_id,
        "activityProgress": activity,
        "gradingProgress": grading,
        "timestamp": post.timestamp.isoformat(),
    }
    if post.score_given is not None:
        body["scoreGiven"] = post.score_given
        body["scoreMaximum"] = post.score_maximum
    elif post.score_maximum is not None:
        body["scoreMaximum"] = post.score_maximum
    if post.comment is not None:
        body["comment"] = post.comment
    if canvas:
        body[CANVAS_SUBMISSION] = canvas_submission(post)
    return body


def canvas_submission(post: ScorePost) -> dict[str, Any]:
    """Canvas's submission extension.

    Submitted work is a new attempt (shown in SpeedGrader with the link to the work);
    ``preserve_score`` keeps a teacher's grade (pitfall 8). A grade is ``new_submission:
    false`` so grading does not use up an attempt (pitfall 11).
    """
    if post.kind is not ScoreKind.SUBMITTED:
        return {"new_submission": False}
    extension: dict[str, Any] = {"new_submission": True}
    if post.review_url:
        extension.update(submission_type="online_url", submission_data=post.review_url)
    if post.submitted_at is not None:
        extension["submitted_at"] = post.submitted_at.isoformat()
    if post.keep_existing_grade:
        extension["preserve_score"] = True
    return extension


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def _refused(error: ServiceError) -> GradebookRefused:
    words = error.body.strip() or str(error)
    message = f"{error.status}: {words}"[:2000]
    if is_timestamp_conflict(error.status, words):
        return GradebookConflict(message, status=error.status)
    return GradebookRefused(message, status=error.status)


def is_timestamp_conflict(status: int, words: str) -> bool:
    """Moodle's 409 "earlier timestamp", or Canvas's 400 "before last updated timestamp"."""
    return status == 409 or (status == 400 and "before last updated" in words.lower())


class AgsScores:
    """Publishes scores for every registered platform; one per process (web or worker)."""

    def __init__(
        self, session_factory: sessionmaker[Session], store: KeyValueStore,
        http: egress.EgressSession | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._store = store
        self._http = http or egress.http_session(runtime.current().settings)
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
        with self._session_factory() as session:
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
                timeout=_score_timeout(),
            )
        except TransientServiceError as error:
            raise GradebookUnavailable(
                str(error), retry_after=error.retry_after, outcome_unknown=error.may_have_arrived
            ) from None
        except PermanentServiceError as error:
            raise _refused(error) from None

    def find_score(self, *, platform_id: int, post: ScorePost) -> Holding:
        """Read the learner's result (AGS results service) and measure it against ``post``."""
        try:
            connector, canvas = self._connector(platform_id)
            url = _with_query(add_path(post.line_item_url, "results"), user_id=post.user_id)
            page = connector.request("GET", url, [SCOPE_RESULT], accept=MT_RESULTS,
                                     timeout=_score_timeout())
        except TransientServiceError as error:
            raise GradebookUnavailable(str(error), retry_after=error.retry_after) from None
        except PermanentServiceError:
            return Holding.UNKNOWN  # the LMS will not say (no results scope, or refused)
        return holding(page.body, post, canvas=canvas)


def holding(results: Any, post: ScorePost, *, canvas: bool) -> Holding:
    """What a results container says of ``post``.

    Moodle shows a grade's time, which its score POST sets to the score's own timestamp
    (whole seconds): equal means this score landed. It shows neither time nor score when there
    is no grade (a "submitted" post) or the grade is 0 (PHP's ``empty``): unknown, and a post
    then answered 409 means the timestamp is already there. Canvas shows no time: a grade
    landed if the result shows its score (as a fraction of the maximum) and its comment; a
    "submitted" post leaves nothing to compare: unknown.
    """
    mine = [
        item for item in (results if isinstance(results, list) else [])
        if isinstance(item, dict) and str(item.get("userId")) == post.user_id
    ]
    if not mine:
        return Holding.NOT_THIS
    result = mine[0]
    stamp = _parse(result.get("timestamp"))
    if stamp is not None:
        theirs, ours = int(stamp.timestamp()), int(post.timestamp.timestamp())
        if theirs == ours:
            return Holding.THIS
        return Holding.NEWER if theirs > ours else Holding.NOT_THIS
    if canvas and post.kind is ScoreKind.GRADE:
        return Holding.THIS if _shows_grade(result, post) else Holding.NOT_THIS
    return Holding.UNKNOWN


def _shows_grade(result: dict[str, Any], post: ScorePost) -> bool:
    score, maximum = result.get("resultScore"), result.get("resultMaximum")
    if not isinstance(score, int | float) or post.score_given is None:
        return False
    theirs = score / maximum if isinstance(maximum, int | float) and maximum else score
    ours = post.score_given / post.score_maximum if post.score_maximum else post.score_given
    same_comment = (result.get("comment") or "") == (post.comment or "")
    return math.isclose(theirs, ours, rel_tol=1e-6, abs_tol=1e-9) and same_comment


def _score_timeout() -> tuple[float, float]:
    # Shorter than other service calls: a slow LMS must not hold a delivery slot for long.
    return (SCORE_CONNECT_SECONDS, float(runtime.current().settings.passback_timeout_seconds))


def _parse(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
