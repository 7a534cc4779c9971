"""Deliver one outbox row to the LMS: claim it, post it, record what the LMS said.

Safe to run twice and from any number of workers (tasks are ``acks_late``): a conditional
UPDATE claims the row, so only one worker posts it; a claim older than
``passback_claim_seconds`` is taken to be a dead worker's and may be taken over. When a claim
is taken over the first post may or may not have landed, so the LMS's results are read first
and the score is posted only if it is not there yet.

The gradebook adapter sorts the LMS's answers into typed errors: unavailable (retried with
exponential backoff and jitter, honouring Retry-After), a timestamp conflict (the LMS holds a
score at least as new), or refused for good (recorded with the platform's words). What is
done next is decided by those types and the row's columns, never by reading text.
"""

from __future__ import annotations

import enum
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
from grading import runtime as grading_runtime
from grading.passback import gateway
from grading.passback.models import OutboxKind, OutboxState, ScoreOutbox
from grading.passback.timestamps import next_timestamp
from grading.ports import (
    Gradebook,
    GradebookConflict,
    GradebookRefused,
    GradebookUnavailable,
    ScoreKind,
    ScorePost,
)

log = logging.getLogger(__name__)

BACKOFF_CAP_SECONDS = 3600.0
EARLY_TOLERANCE = timedelta(seconds=2)


class DeliveryOutcome(enum.StrEnum):
    """What one try did. All but NOT_CLAIMED name the state the row was left in."""

    SENT = OutboxState.SENT.value
    FAILED = OutboxState.FAILED.value
    DEAD = OutboxState.DEAD.value
    SUPERSEDED = OutboxState.SUPERSEDED.value
    WAITING = OutboxState.PENDING.value  # not delivered now; the row waits for its next try
    NOT_CLAIMED = "not claimed"  # another worker holds the row, or it is settled: nothing sent


@dataclass(frozen=True)
class Tried:
    outcome: DeliveryOutcome
    retry_in: float | None = None
    """Seconds until the next try, when a task should retry."""


class Order(enum.Enum):
    """Where a row stands against the scores already sent for its gradebook cell."""

    SEND = enum.auto()  # nothing newer was sent
    RESTAMP = enum.auto()  # an older grade after a newer "submitted": send with a new timestamp
    SUPERSEDED = enum.auto()  # a newer score replaced it: send nothing


def deliver_row(outbox_id: int, *, eager: bool = False, gradebook: Gradebook | None = None) -> Tried:
    """Try to deliver one row now. ``eager``: in-process, so never ask for a delayed retry."""
    rt = runtime.current()
    settings = rt.settings
    book = gradebook or grading_runtime.current().gradebook
    now = utcnow()
    with transaction(rt.session_factory) as session:
        claimed = _claim(session, outbox_id, now=now, settings=settings)
        if claimed is None:
            return Tried(DeliveryOutcome.NOT_CLAIMED)
        row, uncertain = claimed
        order = _order_check(session, row)
        if order is Order.SUPERSEDED:
            _set(session, row, OutboxState.SUPERSEDED, note="a newer score was already sent")
            return Tried(DeliveryOutcome.SUPERSEDED)
        if order is Order.RESTAMP:
            _restamp(session, row)
        post, platform_id, attempt = to_post(row), row.platform_id, row.attempts
    if uncertain and _already_there(book, platform_id, post):
        _record(outbox_id, attempt, OutboxState.SENT, status=None,
                note="the LMS already had this score (a previous try got through)")
        return Tried(DeliveryOutcome.SENT)
    try:
        book.publish_score(platform_id=platform_id, post=post)
    except GradebookUnavailable as error:
        return _transient(outbox_id, attempt, str(error), None, error.retry_after,
                          eager=eager, settings=settings)
    except GradebookConflict as error:
        return _conflict(outbox_id, attempt, error, uncertain=uncertain, eager=eager, book=book)
    except GradebookRefused as error:
        _record(outbox_id, attempt, OutboxState.FAILED, status=error.status, error=str(error))
        log.warning("score %s refused by the LMS: %s", outbox_id, error)
        return Tried(DeliveryOutcome.FAILED)
    except Exception as error:  # a bug or an outage we did not foresee: keep the row, retry
        log.exception("score %s: unexpected error while posting", outbox_id)
        return _transient(outbox_id, attempt, f"{type(error).__name__}: {error}", None, None,
                          eager=eager, settings=settings)
    _record(outbox_id, attempt, OutboxState.SENT, status=200)
    return Tried(DeliveryOutcome.SENT)


def to_post(row: ScoreOutbox) -> ScorePost:
    return ScorePost(
        line_item_url=row.line_item_url,
        user_id=row.user_sub,
        kind=ScoreKind(row.kind),
        timestamp=row.timestamp,
        score_given=row.score_given,
        score_maximum=row.score_maximum,
        comment=row.comment,
        review_url=row.review_url,
        submitted_at=row.submitted_at,
        keep_existing_grade=row.keep_existing_grade,
    )


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


def _order_check(session: Session, row: ScoreOutbox) -> Order:
    """Whether to send, restamp or drop the row, given the newer scores already sent.

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
        return Order.SEND
    if OutboxKind.GRADE.value in newer or row.kind in newer:
        return Order.SUPERSEDED
    return Order.RESTAMP


def _restamp(session: Session, row: ScoreOutbox) -> None:
    row.timestamp = next_timestamp(session, row.stream_key)
    row.restamped = True
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
) -> Tried:
    if attempt >= settings.passback_max_attempts:
        _record(outbox_id, attempt, OutboxState.DEAD, status=status,
                error=f"gave up after {attempt} tries; last: {message}")
        log.error("score %s: gave up after %s tries: %s", outbox_id, attempt, message)
        return Tried(DeliveryOutcome.DEAD)
    delay = backoff_seconds(attempt, base=settings.passback_backoff_seconds, retry_after=retry_after)
    _record(outbox_id, attempt, OutboxState.PENDING, status=status, error=message,
            next_attempt_at=utcnow() + timedelta(seconds=delay))
    log.info("score %s not delivered (try %s), again in %.1fs: %s", outbox_id, attempt, delay, message)
    # In-process runs cannot wait without holding up a web request: the sweep retries them.
    return Tried(DeliveryOutcome.WAITING, retry_in=None if eager else delay)


def _conflict(
    outbox_id: int, attempt: int, error: GradebookConflict, *, uncertain: bool, eager: bool,
    book: Gradebook,
) -> Tried:
    """The LMS holds a score at least as new as ours: work out why, and act on it."""
    rt = runtime.current()
    with transaction(rt.session_factory) as session:
        row = session.get(ScoreOutbox, outbox_id)
        if row is None or row.state != OutboxState.SENDING.value or row.attempts != attempt:
            return Tried(DeliveryOutcome.NOT_CLAIMED)
        if _order_check(session, row) is Order.SUPERSEDED:
            _set(session, row, OutboxState.SUPERSEDED, note="a newer score was already sent")
            return Tried(DeliveryOutcome.SUPERSEDED)
        if uncertain:
            _set(session, row, OutboxState.SENT,
                 note="the LMS already had this score (a previous try got through)")
            return Tried(DeliveryOutcome.SENT)
        if row.restamped:
            # Restamped once already and still older: someone graded in the LMS itself. The
            # instructor decides (retry from the sync page), not a loop of new timestamps.
            row.state = OutboxState.FAILED.value
            row.claimed_at = None
            row.last_status = error.status
            row.last_error = str(error)[:4000]
            return Tried(DeliveryOutcome.FAILED)
        _restamp(session, row)
        row.state = OutboxState.PENDING.value
        row.claimed_at = None
        row.next_attempt_at = None
    return deliver_row(outbox_id, eager=eager, gradebook=book)
