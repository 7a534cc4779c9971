"""Deliver one outbox row to the LMS: claim it, post it, record what the LMS said.

Safe to run twice and from any number of workers (tasks are ``acks_late``): a conditional
UPDATE claims the row, so only one worker posts it; a claim older than
``passback_claim_seconds`` is taken to be a dead worker's and may be taken over. When a claim
is taken over the first post may or may not have landed, so the LMS's results are read first
and the score is posted only if it is not there yet.

Transient failures (timeouts, 5xx, 429, Canvas's 403 "Rate Limit Exceeded") are retried with
exponential backoff and jitter, honouring Retry-After; permanent ones (for example Canvas's
422 "User not found in course or is not a student") are recorded with the platform's words.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from config import runtime
from config.database import transaction, utcnow
from config.settings import Settings
from grading.passback import gateway
from grading.passback.models import OutboxKind, OutboxState, ScoreOutbox
from grading.passback.service import next_timestamp
from grading.ports import Gradebook, GradebookRefused, GradebookUnavailable, ScorePost

log = logging.getLogger(__name__)

BACKOFF_CAP_SECONDS = 3600.0
EARLY_TOLERANCE = timedelta(seconds=2)


@dataclass(frozen=True)
class Outcome:
    state: str
    """sent, failed, dead, superseded, pending (will retry) or skipped (not ours to send)."""
    retry_in: float | None = None
    """Seconds until the next try, when a task should retry."""


def deliver_row(outbox_id: int, *, eager: bool = False, gradebook: Gradebook | None = None) -> Outcome:
    """Try to deliver one row now. ``eager``: in-process, so never ask for a delayed retry."""
    rt = runtime.current()
    settings = rt.settings
    book = gradebook or gateway.gradebook()
    now = utcnow()
    with transaction(rt.session_factory) as session:
        claimed = _claim(session, outbox_id, now=now, settings=settings)
        if claimed is None:
            return Outcome("skipped")
        row, uncertain = claimed
        verdict = _order_check(session, row)
        if verdict == "superseded":
            _set(session, row, OutboxState.SUPERSEDED, note="a newer score was already sent")
            return Outcome(OutboxState.SUPERSEDED.value)
        if verdict == "restamp":
            _restamp(session, row)
        post, platform_id, attempt = to_post(row), row.platform_id, row.attempts
    if uncertain and _already_there(book, platform_id, post):
        _record(outbox_id, attempt, OutboxState.SENT, status=None,
                note="the LMS already had this score (a previous try got through)")
        return Outcome(OutboxState.SENT.value)
    try:
        book.publish_score(platform_id=platform_id, post=post)
    except GradebookUnavailable as error:
        return _transient(outbox_id, attempt, str(error), None, error.retry_after,
                          eager=eager, settings=settings)
    except GradebookRefused as error:
        if is_timestamp_conflict(error):
            return _conflict(outbox_id, attempt, error, uncertain=uncertain, eager=eager, book=book)
        _record(outbox_id, attempt, OutboxState.FAILED, status=error.status, error=str(error))
        log.warning("score %s refused by the LMS: %s", outbox_id, error)
        return Outcome(OutboxState.FAILED.value)
    except Exception as error:  # a bug or an outage we did not foresee: keep the row, retry
        log.exception("score %s: unexpected error while posting", outbox_id)
        return _transient(outbox_id, attempt, f"{type(error).__name__}: {error}", None, None,
                          eager=eager, settings=settings)
    _record(outbox_id, attempt, OutboxState.SENT, status=200)
    return Outcome(OutboxState.SENT.value)


def to_post(row: ScoreOutbox) -> ScorePost:
    return ScorePost(
        line_item_url=row.line_item_url,
        user_id=row.user_sub,
        activity_progress=row.activity_progress,
        grading_progress=row.grading_progress,
        timestamp=row.timestamp,
        score_given=row.score_given,
        score_maximum=row.score_maximum,
        comment=row.comment,
        extensions=dict(row.extensions or {}),
    )


def is_timestamp_conflict(error: GradebookRefused) -> bool:
    """Moodle's 409 "earlier timestamp", or Canvas's 400 "before last updated timestamp"."""
    text = str(error).lower()
    return error.status == 409 or (error.status == 400 and "before last updated" in text)


def backoff_seconds(attempt: int, *, base: float, retry_after: float | None) -> float:
    """Exponential backoff with jitter (half fixed, half random), at least Retry-After."""
    ceiling = min(BACKOFF_CAP_SECONDS, base * 2 ** max(0, attempt - 1))
    delay = ceiling / 2 + random.uniform(0, ceiling / 2)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return round(float(delay), 3)


def _run(session: Session, statement: Any) -> CursorResult[Any]:
    return cast(CursorResult[Any], session.execute(statement))


# -- claiming and ordering -----------------------------------------------------------------


def _claim(
    session: Session, outbox_id: int, *, now: datetime, settings: Settings
) -> tuple[ScoreOutbox, bool] | None:
    """Take the row for this worker; ``True`` in the pair when a dead worker's claim was taken."""
    values = {
        "state": OutboxState.SENDING.value, "claimed_at": now,
        "attempts": ScoreOutbox.attempts + 1,
    }
    fresh = _run(
        session,
        update(ScoreOutbox)
        .where(
            ScoreOutbox.id == outbox_id,
            ScoreOutbox.state == OutboxState.PENDING.value,
            (ScoreOutbox.next_attempt_at.is_(None))
            | (ScoreOutbox.next_attempt_at <= now + EARLY_TOLERANCE),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    uncertain = False
    if not fresh.rowcount:
        stale = _run(
            session,
            update(ScoreOutbox)
            .where(
                ScoreOutbox.id == outbox_id,
                ScoreOutbox.state == OutboxState.SENDING.value,
                ScoreOutbox.claimed_at < now - timedelta(seconds=settings.passback_claim_seconds),
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if not stale.rowcount:
            return None
        uncertain = True
    row = session.get(ScoreOutbox, outbox_id, populate_existing=True)
    return (row, uncertain) if row is not None else None


def _order_check(session: Session, row: ScoreOutbox) -> str:
    """``send``, ``restamp`` or ``superseded``, given the newer scores already sent.

    A newer grade replaces anything older; a newer "submitted" replaces an older "submitted".
    An older grade after a newer "submitted" must still land (a grade is never lost), so it
    gets a fresh timestamp. An older "submitted" after a grade is dropped: Moodle would clear
    the grade on a post without FullyGraded.
    """
    newer = session.scalars(
        select(ScoreOutbox.kind).where(
            ScoreOutbox.stream_key == row.stream_key,
            ScoreOutbox.timestamp > row.timestamp,
            ScoreOutbox.state == OutboxState.SENT.value,
        )
    ).all()
    if not newer:
        return "send"
    if OutboxKind.GRADE.value in newer or row.kind in newer:
        return "superseded"
    return "restamp"


def _restamp(session: Session, row: ScoreOutbox) -> None:
    row.timestamp = next_timestamp(session, row.stream_key)
    row.note = "sent with a new timestamp: the LMS held a newer entry"
    session.flush()


def _already_there(book: Gradebook, platform_id: int, post: ScorePost) -> bool:
    if not isinstance(book, gateway.ResultReader):
        return False
    try:
        stored = book.result_timestamp(
            platform_id=platform_id, line_item_url=post.line_item_url, user_id=post.user_id
        )
    except (GradebookUnavailable, GradebookRefused):
        return False
    return stored is not None and int(stored.timestamp()) >= int(post.timestamp.timestamp())


# -- recording outcomes --------------------------------------------------------------------


def _set(session: Session, row: ScoreOutbox, state: OutboxState, *, note: str = "") -> None:
    row.state = state.value
    row.claimed_at = None
    if note:
        row.note = note[:300]
    if state == OutboxState.SENT:
        row.sent_at = utcnow()


def _record(
    outbox_id: int, attempt: int, state: OutboxState, *, status: int | None,
    error: str = "", note: str = "", next_attempt_at: datetime | None = None,
) -> bool:
    """Write the outcome, unless another worker has taken the row over since our claim."""
    values: dict[str, object] = {
        "state": state.value, "claimed_at": None, "last_status": status,
        "next_attempt_at": next_attempt_at,
    }
    if state == OutboxState.SENT:
        values.update(sent_at=utcnow(), last_error="")
    if error:
        values["last_error"] = error[:4000]
    if note:
        values["note"] = note[:300]
    with transaction(runtime.current().session_factory) as session:
        result = _run(
            session,
            update(ScoreOutbox)
            .where(
                ScoreOutbox.id == outbox_id,
                ScoreOutbox.state == OutboxState.SENDING.value,
                ScoreOutbox.attempts == attempt,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    return bool(result.rowcount)


def _transient(
    outbox_id: int, attempt: int, message: str, status: int | None, retry_after: float | None,
    *, eager: bool, settings: Settings,
) -> Outcome:
    if attempt >= settings.passback_max_attempts:
        _record(outbox_id, attempt, OutboxState.DEAD, status=status,
                error=f"gave up after {attempt} tries; last: {message}")
        log.error("score %s: gave up after %s tries: %s", outbox_id, attempt, message)
        return Outcome(OutboxState.DEAD.value)
    delay = backoff_seconds(attempt, base=settings.passback_backoff_seconds, retry_after=retry_after)
    _record(outbox_id, attempt, OutboxState.PENDING, status=status, error=message,
            next_attempt_at=utcnow() + timedelta(seconds=delay))
    log.info("score %s not delivered (try %s), again in %.1fs: %s", outbox_id, attempt, delay, message)
    # In-process runs cannot wait without holding up a web request: the sweep retries them.
    return Outcome(OutboxState.PENDING.value, retry_in=None if eager else delay)


def _conflict(
    outbox_id: int, attempt: int, error: GradebookRefused, *, uncertain: bool, eager: bool,
    book: Gradebook,
) -> Outcome:
    """The LMS holds a score at least as new as ours: work out why, and act on it."""
    rt = runtime.current()
    with transaction(rt.session_factory) as session:
        row = session.get(ScoreOutbox, outbox_id)
        if row is None or row.state != OutboxState.SENDING.value or row.attempts != attempt:
            return Outcome("skipped")
        verdict = _order_check(session, row)
        if verdict == "superseded":
            _set(session, row, OutboxState.SUPERSEDED, note="a newer score was already sent")
            return Outcome(OutboxState.SUPERSEDED.value)
        if uncertain:
            _set(session, row, OutboxState.SENT,
                 note="the LMS already had this score (a previous try got through)")
            return Outcome(OutboxState.SENT.value)
        if row.note.startswith("sent with a new timestamp"):
            row.state = OutboxState.FAILED.value
            row.claimed_at = None
            row.last_status = error.status
            row.last_error = str(error)[:4000]
            return Outcome(OutboxState.FAILED.value)
        _restamp(session, row)
        row.state = OutboxState.PENDING.value
        row.claimed_at = None
        row.next_attempt_at = None
    return deliver_row(outbox_id, eager=eager, gradebook=book)
