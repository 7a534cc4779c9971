"""Deliver one outbox row to the LMS: claim it, post it, record what the LMS said.

Safe to run twice and from any number of workers (tasks are ``acks_late``): a conditional
UPDATE claims the row, so only one worker posts it; a claim older than
``passback_claim_seconds`` is taken to be a dead worker's and may be taken over.

Exactly once means once in the LMS. A try whose outcome is unknown (the LMS timed out, a
gateway answered 502/504, the connection dropped, the worker died mid-post) may have landed,
so the row is marked ``outcome_unknown`` and the next try first reads what the LMS holds
(``Gradebook.find_score``): this score (recorded as sent, not posted again), something newer
(not posted: the instructor decides), or nothing (posted, with the same timestamp). Such a
row is never given a new timestamp: the LMS may already hold the one it has, and a conflict
then means "already applied" (Moodle's 409 for a timestamp it holds), not "send again".

The gradebook adapter sorts the LMS's answers into typed errors: unavailable (retried with
exponential backoff and jitter, honouring Retry-After, until ``passback_give_up_hours`` after
the first try), a timestamp conflict (the LMS holds a score at least as new), or refused for
good (recorded with the platform's words). What is done next is decided by those types and
the row's columns, never by reading text. At most ``passback_per_platform`` deliveries talk
to one LMS at once (gateway.py).
"""

from __future__ import annotations

import enum
import logging
import random
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, Row, update
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from config import runtime
from config.database import transaction, utcnow
from config.settings import Settings
from grading import runtime as grading_runtime
from grading.passback import gateway, rows
from grading.passback.models import OutboxKind, OutboxState, ScoreOutbox
from grading.passback.timestamps import next_timestamp
from grading.ports import (
    Gradebook,
    GradebookConflict,
    GradebookRefused,
    GradebookUnavailable,
    Holding,
    ScoreKind,
    ScorePost,
)

log = logging.getLogger(__name__)

BACKOFF_CAP_SECONDS = 1800.0
EARLY_TOLERANCE = timedelta(seconds=2)
BUSY_RETRY_SECONDS = (2.0, 6.0)
DB_RETRY_SECONDS = 20.0
ALREADY_THERE = "the LMS already had this score (an earlier try got through)"
NEWER_IN_LMS = (
    "The LMS holds a newer entry for this student. This score was not sent again, so that it "
    "is never applied twice; retry it if it should replace the LMS's entry."
)
T = TypeVar("T")


class DeliveryOutcome(enum.StrEnum):
    """What one try did. All but NOT_CLAIMED and BUSY name the state the row was left in."""

    SENT = OutboxState.SENT.value
    FAILED = OutboxState.FAILED.value
    DEAD = OutboxState.DEAD.value
    SUPERSEDED = OutboxState.SUPERSEDED.value
    WAITING = OutboxState.PENDING.value  # not delivered now; the row waits for its next try
    NOT_CLAIMED = "not claimed"  # another worker holds the row, or it is settled: nothing sent
    BUSY = "platform busy"  # every slot of its LMS is taken: the row is untouched, try soon


@dataclass(frozen=True)
class Tried:
    outcome: DeliveryOutcome
    retry_in: float | None = None
    """Seconds until the next try, when a task should retry."""


@dataclass(frozen=True)
class Attempt:
    """One claimed try of one row, as the claim left it."""

    outbox_id: int
    number: int
    first_attempt_at: datetime
    unknown: bool
    """An earlier try may have landed: read the LMS before posting."""


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
    hold = gateway.slot_seconds(settings.passback_timeout_seconds)
    with ExitStack() as held:

        def take_slot(platform_id: int) -> bool:
            # Held until this try is over (the outcome recorded), then given back.
            return held.enter_context(gateway.platform_slot(
                rt.store, platform_id, limit=settings.passback_per_platform, hold_seconds=hold))

        return _deliver(outbox_id, settings=settings, book=book, eager=eager, take_slot=take_slot)


def _busy(eager: bool) -> Tried:
    # In-process runs cannot wait without holding up a web request: the sweep will.
    return Tried(DeliveryOutcome.BUSY,
                 retry_in=None if eager else round(random.uniform(*BUSY_RETRY_SECONDS), 3))


def _slot_held(_platform_id: int) -> bool:
    return True


def _deliver(
    outbox_id: int, *, settings: Settings, book: Gradebook, eager: bool,
    take_slot: Callable[[int], bool],
) -> Tried:
    # One transaction claims the row (checking its order) and takes one of its LMS's slots;
    # the slot is held until the outcome is written. With the slots in Redis the claim comes
    # first and is rolled back when no slot is free (the row's LMS then costs no read of its
    # own). With them in the database, which on SQLite a claimed row would lock, the row's
    # LMS is read and the slot taken before any write.
    claim_first = bool(settings.redis_url)
    with transaction(runtime.current().session_factory) as session:
        if not claim_first:
            platform_id = rows.open_row_platform(session, outbox_id)
            if platform_id is None:
                return Tried(DeliveryOutcome.NOT_CLAIMED)
            if not take_slot(platform_id):
                return _busy(eager)
        now = utcnow()
        claimed = rows.claim(
            session, outbox_id, now=now, due_by=now + EARLY_TOLERANCE,
            stale_before=now - timedelta(seconds=settings.passback_claim_seconds))
        if claimed is None:
            return Tried(DeliveryOutcome.NOT_CLAIMED)
        if claim_first and not take_slot(claimed.platform_id):
            session.rollback()  # the row stays exactly as it was
            return _busy(eager)
        row: ScoreOutbox | Row[Any] = claimed
        order = _order_from(claimed.newer_sent)
        if order is not Order.SEND:
            row = _entity(session, outbox_id)
            if order is Order.SUPERSEDED:
                _set(session, row, OutboxState.SUPERSEDED, note="a newer score was already sent")
                return Tried(DeliveryOutcome.SUPERSEDED)
            _restamp(session, row)
        attempt = Attempt(outbox_id, row.attempts, row.first_attempt_at or now,
                          row.outcome_unknown)
        post, platform_id = to_post(row), row.platform_id
    if attempt.unknown:
        try:
            found = book.find_score(platform_id=platform_id, post=post)
        except Exception as error:  # the LMS cannot be asked now: ask again later
            return _transient(attempt, _words(error), _retry_after(error), unknown=True,
                              eager=eager, settings=settings)
        if found is Holding.THIS:
            _record(attempt, OutboxState.SENT, status=None, note=ALREADY_THERE)
            return Tried(DeliveryOutcome.SENT)
        if found is Holding.NEWER:
            return _newer_in_lms(attempt, status=None)
    try:
        book.publish_score(platform_id=platform_id, post=post)
    except GradebookUnavailable as error:
        return _transient(attempt, str(error), error.retry_after,
                          unknown=attempt.unknown or error.outcome_unknown,
                          eager=eager, settings=settings)
    except GradebookConflict as error:
        return _conflict(attempt, error, post=post, platform_id=platform_id, eager=eager,
                         book=book, settings=settings)
    except GradebookRefused as error:
        _record(attempt, OutboxState.FAILED, status=error.status, error=str(error))
        log.warning("score %s refused by the LMS: %s", outbox_id, error)
        return Tried(DeliveryOutcome.FAILED)
    except Exception as error:  # a bug or an outage we did not foresee: keep the row, retry
        log.exception("score %s: unexpected error while posting", outbox_id)
        return _transient(attempt, _words(error), None, unknown=True, eager=eager,
                          settings=settings)
    _record(attempt, OutboxState.SENT, status=200)
    return Tried(DeliveryOutcome.SENT)


def _words(error: Exception) -> str:
    return str(error) if isinstance(error, GradebookUnavailable) else f"{type(error).__name__}: {error}"


def _retry_after(error: Exception) -> float | None:
    return error.retry_after if isinstance(error, GradebookUnavailable) else None


def to_post(row: ScoreOutbox | Row[Any]) -> ScorePost:
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


def _order_check(session: Session, row: ScoreOutbox | Row[Any]) -> Order:
    """Whether to send, restamp or drop the row, given the newer scores already sent.

    A newer grade replaces anything older; a newer "submitted" replaces an older "submitted".
    An older grade after a newer "submitted" must still land (a grade is never lost), so it
    gets a fresh timestamp. An older "submitted" after a grade is dropped: Moodle would clear
    the grade on a post without FullyGraded.
    """
    newer = rows.newer_sent_kinds(session, stream_key=row.stream_key, timestamp=row.timestamp)
    if not newer:
        return Order.SEND
    if OutboxKind.GRADE.value in newer or row.kind in newer:
        return Order.SUPERSEDED
    return Order.RESTAMP


def _entity(session: Session, outbox_id: int) -> ScoreOutbox:
    """The claimed row as an entity, for the rare paths that change more than its state."""
    row = session.get(ScoreOutbox, outbox_id)
    assert row is not None  # claimed in this very transaction
    return row


def _order_from(newer_sent: int | None) -> Order:
    """The order check as the claim folded it in (grading/passback/rows.py)."""
    if newer_sent == rows.NEWER_REPLACES:
        return Order.SUPERSEDED
    return Order.RESTAMP if newer_sent == rows.NEWER_OTHER_KIND else Order.SEND


def _restamp(session: Session, row: ScoreOutbox) -> None:
    row.timestamp = next_timestamp(session, row.stream_key)
    row.restamped = True
    row.note = "sent with a new timestamp: the LMS held a newer entry"
    session.flush()


# -- recording outcomes --------------------------------------------------------------------


def _set(session: Session, row: ScoreOutbox, state: OutboxState, *, note: str = "") -> None:
    row.state = state.value
    row.claimed_at = None
    if note:
        row.note = note[:300]
    if state == OutboxState.SENT:
        row.sent_at = utcnow()


def _record(
    attempt: Attempt, state: OutboxState, *, status: int | None, error: str = "", note: str = "",
    next_attempt_at: datetime | None = None, unknown: bool | None = None,
) -> bool:
    """Write the outcome, unless another worker has taken the row over since our claim.

    The LMS has answered by now, so a database that is briefly away is waited for (up to
    DB_RETRY_SECONDS) rather than leaving the row "sending" until the sweep reads it back.
    """
    if state == OutboxState.SENT and not error and not note and unknown is None:
        return with_db_retries(lambda: _write_sent(attempt, status))
    values: dict[str, object] = {
        "state": state.value, "claimed_at": None, "last_status": status,
        "next_attempt_at": next_attempt_at,
    }
    if state == OutboxState.SENT:
        values.update(sent_at=utcnow(), last_error="", outcome_unknown=False)
    if error:
        values["last_error"] = error[:4000]
    if note:
        values["note"] = note[:300]
    if unknown is not None:
        values["outcome_unknown"] = unknown

    def write() -> bool:
        with transaction(runtime.current().session_factory) as session:
            result = _run(
                session,
                update(ScoreOutbox)
                .where(
                    ScoreOutbox.id == attempt.outbox_id,
                    ScoreOutbox.state == OutboxState.SENDING.value,
                    ScoreOutbox.attempts == attempt.number,
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            )
        return bool(result.rowcount)

    return with_db_retries(write)


def _write_sent(attempt: Attempt, status: int | None) -> bool:
    with transaction(runtime.current().session_factory) as session:
        return rows.record_sent(session, outbox_id=attempt.outbox_id, attempt=attempt.number,
                                status=status, now=utcnow())


def with_db_retries(work: Callable[[], T], *, seconds: float = DB_RETRY_SECONDS) -> T:
    """Run ``work``, again with growing pauses while the database cannot be reached."""
    deadline = time.monotonic() + seconds
    pause = 0.25
    while True:
        try:
            return work()
        except (OperationalError, InterfaceError):
            if time.monotonic() + pause > deadline:
                raise
            log.warning("database unavailable; writing a delivery outcome again in %.2fs", pause)
            time.sleep(pause)
            pause = min(pause * 2, 4.0)


def _transient(
    attempt: Attempt, message: str, retry_after: float | None, *, unknown: bool, eager: bool,
    settings: Settings,
) -> Tried:
    """Not delivered now: wait and try again, or give up once the give-up time has passed."""
    give_up_at = attempt.first_attempt_at + timedelta(hours=settings.passback_give_up_hours)
    if utcnow() >= give_up_at:
        _record(attempt, OutboxState.DEAD, status=None, unknown=unknown,
                error=f"gave up {settings.passback_give_up_hours} h after the first try "
                      f"({attempt.number} tries); last: {message}")
        log.error("score %s: gave up after %s tries: %s", attempt.outbox_id, attempt.number,
                  message)
        return Tried(DeliveryOutcome.DEAD)
    delay = backoff_seconds(attempt.number, base=settings.passback_backoff_seconds,
                            retry_after=retry_after)
    _record(attempt, OutboxState.PENDING, status=None, error=message, unknown=unknown,
            next_attempt_at=utcnow() + timedelta(seconds=delay))
    log.info("score %s not delivered (try %s%s), again in %.1fs: %s", attempt.outbox_id,
             attempt.number, ", outcome unknown" if unknown else "", delay, message)
    # In-process runs cannot wait without holding up a web request: the sweep retries them.
    return Tried(DeliveryOutcome.WAITING, retry_in=None if eager else delay)


def _newer_in_lms(attempt: Attempt, *, status: int | None, error: str = "") -> Tried:
    _record(attempt, OutboxState.FAILED, status=status, error=error or NEWER_IN_LMS,
            note="not sent again: the LMS holds a newer entry")
    return Tried(DeliveryOutcome.FAILED)


def _conflict(
    attempt: Attempt, error: GradebookConflict, *, post: ScorePost, platform_id: int,
    eager: bool, book: Gradebook, settings: Settings,
) -> Tried:
    """The LMS holds a score at least as new as ours: work out why, and act on it."""
    with transaction(runtime.current().session_factory) as session:
        row = session.get(ScoreOutbox, attempt.outbox_id)
        if row is None or row.state != OutboxState.SENDING.value or row.attempts != attempt.number:
            return Tried(DeliveryOutcome.NOT_CLAIMED)
        if _order_check(session, row) is Order.SUPERSEDED:
            _set(session, row, OutboxState.SUPERSEDED, note="a newer score was already sent")
            return Tried(DeliveryOutcome.SUPERSEDED)
        if not attempt.unknown:
            # No try of this row can have landed, so the LMS cannot hold its timestamp.
            if row.restamped:
                # Restamped once already and still older: someone graded in the LMS itself.
                # The instructor decides (retry from the sync page), not a loop of new stamps.
                row.state = OutboxState.FAILED.value
                row.claimed_at = None
                row.last_status = error.status
                row.last_error = str(error)[:4000]
                return Tried(DeliveryOutcome.FAILED)
            _restamp(session, row)
            row.state = OutboxState.PENDING.value
            row.claimed_at = None
            row.next_attempt_at = None
    if not attempt.unknown:
        return _deliver(attempt.outbox_id, settings=settings, book=book, eager=eager,
                        take_slot=_slot_held)
    # An earlier try may have landed: the LMS may hold this very timestamp (Moodle answers
    # 409 to a timestamp it already holds). Ask what it holds; never restamp.
    try:
        found = book.find_score(platform_id=platform_id, post=post)
    except Exception as failure:
        return _transient(attempt, _words(failure), _retry_after(failure), unknown=True,
                          eager=eager, settings=settings)
    if found in (Holding.THIS, Holding.UNKNOWN):
        _record(attempt, OutboxState.SENT, status=error.status, note=ALREADY_THERE)
        return Tried(DeliveryOutcome.SENT)
    return _newer_in_lms(attempt, status=error.status, error=f"{error} {NEWER_IN_LMS}")
