"""Write score outbox rows in the caller's transaction; retry and resend on request.

Callers (submitting work, releasing a grade) call ``enqueue_submitted`` or ``enqueue_grade``
inside their own transaction; delivery is queued after it commits (config.outbox). The row
copies what it is given: the score and comment are already what the LMS should show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Insert,
    String,
    Table,
    bindparam,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, selectinload

from config import outbox, runtime
from config.database import UTCDateTime, utcnow
from config.web import NotFound, UserFacingError
from grading.passback.models import (
    CHANNEL,
    OPEN_STATES,
    OutboxKind,
    OutboxState,
    ScoreOutbox,
    stream_key,
)
from grading.passback.timestamps import next_timestamp_sql
from grading.people.models import Person
from grading.placements.models import Placement

_TIMESTAMP_TRIES = 8


def enqueue_submitted(
    session: Session, *, placement: Placement, person: Person, submission_id: int,
    submitted_at: datetime, review_url: str,
) -> ScoreOutbox | None:
    """Tell the LMS that work was handed in: no score, and a grade it holds is kept.

    The LMS may show the work (Canvas: a new attempt in SpeedGrader, linking to the review
    page) but must not wipe a teacher's grade (LTI-NOTES pitfall 8).
    """
    return enqueue(
        session,
        placement=placement,
        person=person,
        kind=OutboxKind.SUBMITTED,
        idempotency_key=f"submitted:{submission_id}:person:{person.id}",
        submission_id=submission_id,
        review_url=review_url,
        submitted_at=submitted_at,
        keep_existing_grade=True,
    )


def enqueue_grade(
    session: Session, *, placement: Placement, person: Person, release_id: int,
    score_given: float, score_maximum: float, comment: str, submission_id: int | None = None,
    idempotency_key: str = "",
) -> ScoreOutbox | None:
    """Send a released grade, exactly as released: score, maximum and comment."""
    return enqueue(
        session,
        placement=placement,
        person=person,
        kind=OutboxKind.GRADE,
        idempotency_key=idempotency_key or f"release:{release_id}:person:{person.id}",
        score_given=score_given,
        score_maximum=score_maximum,
        comment=comment,
        submission_id=submission_id,
        release_id=release_id,
    )


def enqueue(
    session: Session, *, placement: Placement, person: Person, kind: OutboxKind,
    idempotency_key: str, score_given: float | None = None, score_maximum: float | None = None,
    comment: str | None = None, review_url: str | None = None,
    submitted_at: datetime | None = None, keep_existing_grade: bool = False,
    submission_id: int | None = None, release_id: int | None = None,
) -> ScoreOutbox | None:
    """Write one outbox row (once per idempotency key); None if the link has no gradebook column."""
    existing = session.scalar(
        select(ScoreOutbox).where(ScoreOutbox.idempotency_key == idempotency_key)
    )
    if existing is not None:
        return existing
    if not placement.line_item_url:
        return None
    row_id = _insert(session, _row_values(
        placement=placement, person_id=person.id, platform_id=person.platform_id,
        user_sub=person.sub, kind=kind, idempotency_key=idempotency_key,
        score_given=score_given, score_maximum=score_maximum, comment=comment,
        review_url=review_url, submitted_at=submitted_at,
        keep_existing_grade=keep_existing_grade, submission_id=submission_id,
        release_id=release_id,
    ))
    return session.get(ScoreOutbox, row_id)


def enqueue_release(
    session: Session, *, placement: Placement, person_id: int, platform_id: int, user_sub: str,
    release_id: int, score_given: float, score_maximum: float, comment: str,
    submission_id: int,
) -> int | None:
    """``enqueue_grade`` for a release written in this very transaction (its key cannot exist
    yet, so it is not looked up), as releasing needs it: the row's id, no entity (this runs
    for every grade released). None if the link has no gradebook column."""
    if not placement.line_item_url:
        return None
    return _insert(session, _row_values(
        placement=placement, person_id=person_id, platform_id=platform_id, user_sub=user_sub,
        kind=OutboxKind.GRADE, idempotency_key=f"release:{release_id}:person:{person_id}",
        score_given=score_given, score_maximum=score_maximum, comment=comment,
        submission_id=submission_id, release_id=release_id,
    ))


def _row_values(
    *, placement: Placement, person_id: int, platform_id: int, user_sub: str, kind: OutboxKind,
    idempotency_key: str, score_given: float | None = None, score_maximum: float | None = None,
    comment: str | None = None, review_url: str | None = None,
    submitted_at: datetime | None = None, keep_existing_grade: bool = False,
    submission_id: int | None = None, release_id: int | None = None,
) -> dict[str, Any]:
    line_item_url = placement.line_item_url or ""
    return {
        "placement_id": placement.id, "person_id": person_id, "platform_id": platform_id,
        "kind": kind.value, "submission_id": submission_id, "release_id": release_id,
        "line_item_url": line_item_url, "user_sub": user_sub,
        "stream_key": stream_key(line_item_url, user_sub),
        "score_given": score_given, "score_maximum": score_maximum, "comment": comment,
        "review_url": review_url, "submitted_at": submitted_at,
        "keep_existing_grade": keep_existing_grade, "idempotency_key": idempotency_key,
        "state": OutboxState.PENDING.value,
    }


def _insert(session: Session, values: dict[str, Any]) -> int:
    """Insert the row and queue its delivery after commit: its id.

    The insert does nothing on a clash (no savepoint, one round trip): the clash is this key
    (written meanwhile by another transaction: that row's id is returned, already queued by
    its writer) or this cell's second (another score took it: the next second is tried)."""
    statement = _insert_statement(session.get_bind().dialect.name)
    connection = session.connection()
    for _ in range(_TIMESTAMP_TRIES):
        row_id = connection.execute(
            statement, {**values, "now": utcnow().replace(microsecond=0)}
        ).scalar()
        if row_id is None:
            again = connection.execute(_ID_BY_KEY, {"key": values["idempotency_key"]}).scalar()
            if again is not None:
                return int(again)
            continue
        outbox.queue_after_commit(session, CHANNEL, row_id)
        return int(row_id)
    raise UserFacingError("The grade could not be queued for the LMS just now; please try again.")


_INSERT_COLUMNS = (
    "placement_id", "person_id", "platform_id", "kind", "submission_id", "release_id",
    "line_item_url", "user_sub", "stream_key", "score_given", "score_maximum", "comment",
    "review_url", "submitted_at", "keep_existing_grade", "idempotency_key", "state",
)
_inserts: dict[str, Insert] = {}
_ID_BY_KEY = select(ScoreOutbox.__table__.c.id).where(
    ScoreOutbox.__table__.c.idempotency_key == bindparam("key")
)


def _insert_statement(dialect: str) -> Insert:
    """The outbox row's insert, built once per dialect (building and keying a statement of
    this size costs more than running it): every value a parameter, the timestamp computed by
    the insert from the cell's last one, nothing written on a clash, the row's id returned."""
    statement = _inserts.get(dialect)
    if statement is None:
        table = ScoreOutbox.__table__
        assert isinstance(table, Table)
        values: dict[str, ColumnElement[Any]] = {
            name: bindparam(name, type_=table.c[name].type) for name in _INSERT_COLUMNS
        }
        values["timestamp"] = next_timestamp_sql(
            dialect, bindparam("stream_key", type_=String()), bindparam("now", type_=UTCDateTime())
        )
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = insert(table).values(values).on_conflict_do_nothing().returning(table.c.id)
        _inserts[dialect] = statement
    return statement


# -- the instructor's levers ---------------------------------------------------------------


def get_for_placement(session: Session, *, placement_id: int, outbox_id: int) -> ScoreOutbox:
    row = session.get(ScoreOutbox, outbox_id)
    if row is None or row.placement_id != placement_id:
        raise NotFound("There is no such grade sync in this activity.", title="Not found")
    return row


def retry(session: Session, *, placement_id: int, outbox_id: int) -> ScoreOutbox:
    """Send a failed (or waiting) score again now, with its original timestamp."""
    row = get_for_placement(session, placement_id=placement_id, outbox_id=outbox_id)
    if row.state == OutboxState.SENDING.value:
        return row
    if row.state in (OutboxState.SENT.value, OutboxState.SUPERSEDED.value):
        raise UserFacingError(
            "This score has already reached the LMS (or a newer one replaced it).",
            title="Nothing to retry", status=409,
        )
    if row.state == OutboxState.FAILED.value:
        # The instructor's word: send it, even over what the LMS holds (once more).
        row.outcome_unknown = False
    row.state = OutboxState.PENDING.value
    row.next_attempt_at = None
    row.attempts = 0
    row.first_attempt_at = None  # a new window before giving up
    row.restamped = False  # the instructor's word: the LMS may be asked once more
    row.note = "retried by the instructor"
    session.flush()
    outbox.queue_after_commit(session, CHANNEL, row.id)
    return row


def resend_all(session: Session, *, placement: Placement) -> list[ScoreOutbox]:
    """Send every learner's latest grade again (new timestamps), e.g. after a gradebook reset."""
    latest = latest_rows(session, placement_id=placement.id, kind=OutboxKind.GRADE)
    made: list[ScoreOutbox] = []
    for row in latest.values():
        if row.is_open:
            continue
        attempt = session.scalar(
            select(func.count()).select_from(ScoreOutbox).where(
                ScoreOutbox.idempotency_key.like(f"resend:{row.release_id}:person:{row.person_id}:%")
            )
        ) or 0
        copy = enqueue(
            session, placement=placement, person=row.person, kind=OutboxKind.GRADE,
            idempotency_key=f"resend:{row.release_id}:person:{row.person_id}:{attempt + 1}",
            score_given=row.score_given, score_maximum=row.score_maximum, comment=row.comment,
            submission_id=row.submission_id, release_id=row.release_id,
        )
        if copy is not None:
            made.append(copy)
    return made


def latest_rows(
    session: Session, *, placement_id: int, kind: OutboxKind | None = None
) -> dict[int, ScoreOutbox]:
    """Each learner's newest outbox row in this placement (by timestamp), keyed by person id."""
    query = (
        select(ScoreOutbox)
        .where(ScoreOutbox.placement_id == placement_id)
        .options(selectinload(ScoreOutbox.person))
        .order_by(ScoreOutbox.timestamp, ScoreOutbox.id)
    )
    if kind is not None:
        query = query.where(ScoreOutbox.kind == kind.value)
    latest: dict[int, ScoreOutbox] = {}
    for row in session.scalars(query):
        latest[row.person_id] = row
    return latest


@dataclass(frozen=True)
class SyncState:
    """What the instructor sees for one learner: the newest score and where it stands."""

    person: Person
    latest: ScoreOutbox
    history: Sequence[ScoreOutbox]
    status: str
    """The latest row's state in words, as far as anyone knows it."""


def shown_status(row: ScoreOutbox, *, now: datetime, claim_timeout: timedelta) -> str:
    """A row's state in words. "Sending" only while a worker holds it; a row whose last try
    may have landed says that the LMS is being asked, not that it is still being sent."""
    if row.state == OutboxState.SENDING.value and (
        row.claimed_at is None or row.claimed_at < now - claim_timeout
    ):
        return "Checking whether the LMS received it"
    if row.state == OutboxState.PENDING.value and row.outcome_unknown:
        return "Waiting to check whether the LMS received it"
    return row.state_label


def sync_states(session: Session, *, placement_id: int) -> list[SyncState]:
    rows = session.scalars(
        select(ScoreOutbox)
        .where(ScoreOutbox.placement_id == placement_id)
        .options(selectinload(ScoreOutbox.person))
        .order_by(ScoreOutbox.timestamp, ScoreOutbox.id)
    ).all()
    by_person: dict[int, list[ScoreOutbox]] = {}
    for row in rows:
        by_person.setdefault(row.person_id, []).append(row)
    now = utcnow()
    claim_timeout = timedelta(seconds=runtime.current().settings.passback_claim_seconds)
    states = [
        SyncState(r[-1].person, r[-1], r,
                  shown_status(r[-1], now=now, claim_timeout=claim_timeout))
        for r in by_person.values()
    ]
    return sorted(states, key=lambda s: s.person.display_name().lower())


def history_for(session: Session, *, placement_id: int, person_id: int) -> Sequence[ScoreOutbox]:
    return session.scalars(
        select(ScoreOutbox)
        .where(ScoreOutbox.placement_id == placement_id, ScoreOutbox.person_id == person_id)
        .order_by(ScoreOutbox.timestamp, ScoreOutbox.id)
    ).all()


def due_for_sweep(
    session: Session, *, now: datetime, claim_timeout: timedelta, grace: timedelta,
    limit: int = 1000,
) -> list[int]:
    """Rows a lost message left behind, marked as swept (flushed): pending and due for
    ``grace`` (and not swept within ``claim_timeout``), or claimed by a worker that died."""
    ids = list(session.scalars(
        select(ScoreOutbox.id)
        .where(
            or_(
                (ScoreOutbox.state == OutboxState.PENDING.value)
                & or_(
                    ScoreOutbox.next_attempt_at.is_(None) & (ScoreOutbox.created_at <= now - grace),
                    ScoreOutbox.next_attempt_at <= now - grace,
                )
                & or_(ScoreOutbox.swept_at.is_(None), ScoreOutbox.swept_at <= now - claim_timeout),
                (ScoreOutbox.state == OutboxState.SENDING.value)
                & (ScoreOutbox.claimed_at < now - claim_timeout),
            )
        )
        .order_by(ScoreOutbox.timestamp)
        .limit(limit)
    ).all())
    if ids:
        session.execute(
            update(ScoreOutbox).where(ScoreOutbox.id.in_(ids)).values(swept_at=now)
            .execution_options(synchronize_session=False)
        )
    return ids


def open_count(session: Session, *, placement_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(ScoreOutbox).where(
            ScoreOutbox.placement_id == placement_id, ScoreOutbox.state.in_(OPEN_STATES)
        )
    ) or 0


def send_waiting(session: Session, *, placement_id: int) -> int:
    """Try every waiting score of a placement now, without waiting for its backoff."""
    rows = session.scalars(
        select(ScoreOutbox).where(
            ScoreOutbox.placement_id == placement_id,
            ScoreOutbox.state == OutboxState.PENDING.value,
        )
    ).all()
    for row in rows:
        row.next_attempt_at = None
        outbox.queue_after_commit(session, CHANNEL, row.id)
    session.flush()
    return len(rows)
