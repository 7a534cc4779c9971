"""AGS score POSTs, validated and applied the way Canvas and Moodle do (see LTI-NOTES quirks).

Canvas: missing fields or bad/older timestamp -> 400; not an active student, scoreGiven without
scoreMaximum, negative values -> 422; FullyGraded and PendingManual apply scoreGiven, anything
else clears the grade unless preserve_score. Moodle: the score media type is required, every
validation failure is 400, scoreMaximum defaults to 1, a stored timestamp at or after the new
one (whole seconds) -> 409, and only FullyGraded sets a grade.
"""

from __future__ import annotations

import contextlib
import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .errors import PlatformError, canvas_error
from .model import LineItem, Result, ScorePost, User
from .timeutil import now, parse_iso
from .vocab import CANVAS_SUBMISSION, MT_SCORE

if TYPE_CHECKING:
    from .platform import Platform

REQUIRED = ("userId", "activityProgress", "gradingProgress", "timestamp")
ACTIVITY = ("Initialized", "Started", "InProgress", "Submitted", "Completed")
GRADING = ("FullyGraded", "Pending", "PendingManual", "Failed", "NotReady")
CANVAS_GRADED = ("FullyGraded", "PendingManual")
NOT_A_STUDENT = "User not found in course or is not a student"


def post_score(platform: Platform, item: LineItem, raw: str, content_type: str | None) -> tuple[int, Any]:
    """Handle a score POST; return (status, JSON body or None). Every attempt is logged."""
    data: Any = None
    try:
        if not platform.is_canvas and (content_type or "").split(";")[0].strip() != MT_SCORE:
            raise PlatformError(400, f"Incorrect content type, expected {MT_SCORE}")
        data = _parse(platform, raw)
        status, body = _canvas(platform, item, data) if platform.is_canvas else _moodle(platform, item, data)
    except PlatformError as error:
        _log(platform, item, data, error.status, json.dumps(error.body))
        raise
    _log(platform, item, data, status, None)
    return status, body


def _parse(platform: Platform, raw: str) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise _bad(platform, "body must be a JSON object")
    missing = [name for name in REQUIRED if data.get(name) in (None, "")]
    if missing:
        raise _bad(platform, f"param is missing or the value is empty: {missing[0]}")
    if data["activityProgress"] not in ACTIVITY or data["gradingProgress"] not in GRADING:
        raise _bad(platform, "activityProgress or gradingProgress is not a valid value")
    return data


def _canvas(platform: Platform, item: LineItem, data: dict[str, Any]) -> tuple[int, Any]:
    stamp = _timestamp(platform, data["timestamp"])
    user = _student(platform, item, data["userId"])
    if user is None:
        raise canvas_error(422, NOT_A_STUDENT)
    given, maximum = _canvas_numbers(item, data)
    extension = data.get(CANVAS_SUBMISSION) or {}
    submitted_at = _submitted_at(data, extension)
    with platform.lock:
        existing = _existing(platform, item, user)
        if existing and stamp < existing.timestamp:
            raise canvas_error(
                400,
                f"Provided timestamp of {data['timestamp']} before last updated timestamp "
                f"of {existing.timestamp.isoformat()}",
            )
        result = existing or _new_result(platform, item, user, stamp)
        _progress(result, data, stamp)
        if data["gradingProgress"] in CANVAS_GRADED and given is not None:
            result.score = _scaled(given, maximum, item)
        elif not extension.get("preserve_score"):
            result.score = None
        # new_submission defaults to true (one more attempt) unless submission_type is none.
        kind = extension.get("submission_type", "external_tool")
        if extension.get("new_submission", kind != "none"):
            result.attempts += 1
            result.submission_type = kind
            result.submitted_at = submitted_at or stamp
        result_url = f"{platform.results_url(item)}/{result.id}"
    return 200, {"resultUrl": result_url}


def _canvas_numbers(item: LineItem, data: dict[str, Any]) -> tuple[float | None, float | None]:
    given, maximum = data.get("scoreGiven"), data.get("scoreMaximum")
    for value in (given, maximum):
        if value is not None and not _is_number(value):
            raise canvas_error(422, "scoreGiven and scoreMaximum must be numbers")
    if given is not None and maximum is None:
        raise canvas_error(422, "ScoreMaximum must be present when ScoreGiven is present")
    if maximum is not None and (maximum < 0 or (maximum == 0 and item.score_maximum != 0)):
        raise canvas_error(422, "ScoreMaximum must be greater than or equal to 0")
    if given is not None and given < 0:
        raise canvas_error(422, "ScoreGiven must be greater than or equal to 0")
    return given, maximum


def _submitted_at(data: dict[str, Any], extension: dict[str, Any]) -> datetime | None:
    raw = (data.get("submission") or {}).get("submittedAt") or extension.get("submitted_at")
    if raw is None:
        return None
    try:
        value = parse_iso(raw)
    except ValueError as error:
        raise canvas_error(400, f"Provided submitted_at of {raw} not a valid timestamp") from error
    if value > now() + timedelta(minutes=1):
        raise canvas_error(400, "submitted_at cannot be more than one minute in the future")
    return value


def _moodle(platform: Platform, item: LineItem, data: dict[str, Any]) -> tuple[int, Any]:
    stamp = _timestamp(platform, data["timestamp"])
    given, maximum = data.get("scoreGiven"), data.get("scoreMaximum", 1)
    if not all(value is None or _is_number(value) for value in (given, maximum)):
        raise PlatformError(400, "Incorrect score received")
    user = _student(platform, item, data["userId"])
    if user is None:
        raise PlatformError(400, "Incorrect score received: user is not gradable")
    with platform.lock:
        existing = _existing(platform, item, user)
        # Moodle compares whole seconds and treats equal as older.
        if existing and int(existing.timestamp.timestamp()) >= int(stamp.timestamp()):
            raise PlatformError(409, "Refusing score with an earlier timestamp")
        result = existing or _new_result(platform, item, user, stamp)
        _progress(result, data, stamp)
        graded = data["gradingProgress"] == "FullyGraded" and given is not None
        result.score = _scaled(given, maximum, item) if graded else None
    return 200, None


def _existing(platform: Platform, item: LineItem, user: User) -> Result | None:
    return platform.state.results.get(platform.state.result_key(item.id, user.user_id))


def _new_result(platform: Platform, item: LineItem, user: User, stamp: datetime) -> Result:
    result = Result(str(platform.state.next_id("result")), item.id, user.user_id, stamp)
    platform.state.results[platform.state.result_key(item.id, user.user_id)] = result
    return result


def _progress(result: Result, data: dict[str, Any], stamp: datetime) -> None:
    result.applications += 1
    result.timestamp = stamp
    result.activity_progress = data["activityProgress"]
    result.grading_progress = data["gradingProgress"]
    if "comment" in data:
        result.comment = data["comment"]
        if data["comment"]:
            result.comments.append(str(data["comment"]))


def _scaled(given: Any, maximum: Any, item: LineItem) -> float:
    # Canvas and Moodle store the grade on the line item's scale.
    if not maximum:
        return float(given)
    return float(given) * item.score_maximum / float(maximum)


def _student(platform: Platform, item: LineItem, user_id: Any) -> User | None:
    """The user if an active learner of the course (Canvas also accepts its numeric id)."""
    try:
        user = platform.get_user(str(user_id))
    except KeyError:
        return None
    if not platform.is_canvas and user.user_id != str(user_id):
        return None
    enrolment = platform.get_course(item.course_id).members.get(user.user_id)
    active = enrolment is not None and enrolment.status == "Active"
    return user if active and enrolment and "Learner" in enrolment.roles else None


def _timestamp(platform: Platform, value: Any) -> datetime:
    try:
        return parse_iso(value)
    except ValueError as error:
        raise _bad(platform, f"Provided timestamp of {value} not a valid timestamp") from error


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _bad(platform: Platform, message: str) -> PlatformError:
    if platform.is_canvas:
        return canvas_error(400, message)
    return PlatformError(400, f"Incorrect score received: {message}")


def _log(platform: Platform, item: LineItem, data: Any, status: int, error: str | None) -> None:
    body = data if isinstance(data, dict) else {}
    user_id = str(body.get("userId", ""))
    with contextlib.suppress(KeyError):
        user_id = platform.get_user(user_id).user_id
    post = ScorePost(item.id, user_id, body, now(), status, error)
    with platform.lock:
        platform.state.score_log.append(post)
        if status < 300:
            platform.stats.score_posts += 1
