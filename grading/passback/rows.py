"""The statements every delivery runs on its outbox row, built once per process.

A delivery runs four of them per grade (find the row's LMS, claim it, check its order,
record the outcome). As ORM statements built per call they were half of a worker's CPU per
grade (bench/passback.py): building the clause, its cache key, the ORM's bulk-update and
entity machinery. Here they are Core statements on the table, built at import with bound
parameters, so SQLAlchemy reuses each one's compiled form and cache key, and run on the
session's connection (same transaction, no entities loaded). The rare paths (a superseded
row, a restamp, a conflict) still load the row as an entity.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, Table, bindparam, func, literal_column, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import Label

from grading.passback.models import OPEN_STATES, OutboxState, ScoreOutbox

_T: Table = ScoreOutbox.__table__  # type: ignore[assignment]
_WHEN = ScoreOutbox.claimed_at.type  # UTCDateTime: the bound datetimes need its conversion

_PLATFORM = select(_T.c.platform_id, _T.c.state).where(_T.c.id == bindparam("row_id"))

# Whether newer scores of the same gradebook cell were sent, folded into the claim (one round
# trip fewer): NULL none, 1 only other kinds (the row is sent with a new timestamp), 2 a grade
# or one of the row's own kind (the row is superseded). Written out, as SQLAlchemy renders
# SQLite's RETURNING with bare column names, which would lose the correlation.
NEWER_NONE, NEWER_OTHER_KIND, NEWER_REPLACES = None, 1, 2
_NEWER_SENT_IN_CELL: Label[Any] = literal_column(
    "(SELECT max(CASE WHEN newer.kind = 'grade' OR newer.kind = score_outbox.kind THEN 2 ELSE 1 END)"
    " FROM score_outbox AS newer WHERE newer.stream_key = score_outbox.stream_key"
    " AND newer.timestamp > score_outbox.timestamp AND newer.state = 'sent')"
).label("newer_sent")

_CLAIMED = {
    "state": OutboxState.SENDING.value,
    "claimed_at": bindparam("claimed_at", type_=_WHEN),
    "attempts": _T.c.attempts + 1,
    "first_attempt_at": func.coalesce(_T.c.first_attempt_at, bindparam("claimed_at", type_=_WHEN)),
}
_CLAIM_PENDING = (
    update(_T)
    .where(
        _T.c.id == bindparam("row_id"),
        _T.c.state == OutboxState.PENDING.value,
        or_(_T.c.next_attempt_at.is_(None),
            _T.c.next_attempt_at <= bindparam("due_by", type_=_WHEN)),
    )
    .values(**_CLAIMED)
    .returning(*_T.c, _NEWER_SENT_IN_CELL)
)
_CLAIM_STALE = (
    update(_T)
    .where(
        _T.c.id == bindparam("row_id"),
        _T.c.state == OutboxState.SENDING.value,
        _T.c.claimed_at < bindparam("stale_before", type_=_WHEN),
    )
    .values(**_CLAIMED, outcome_unknown=True)
    .returning(*_T.c, _NEWER_SENT_IN_CELL)
)
_NEWER_SENT = select(_T.c.kind).where(
    _T.c.stream_key == bindparam("stream_key"),
    _T.c.timestamp > bindparam("after", type_=_WHEN),
    _T.c.state == OutboxState.SENT.value,
)
_SENT = (
    update(_T)
    .where(
        _T.c.id == bindparam("row_id"),
        _T.c.state == OutboxState.SENDING.value,
        _T.c.attempts == bindparam("attempt"),
    )
    .values(state=OutboxState.SENT.value, claimed_at=None, next_attempt_at=None,
            last_status=bindparam("status"), sent_at=bindparam("sent_at", type_=_WHEN),
            last_error="", outcome_unknown=False)
)


def open_row_platform(session: Session, outbox_id: int) -> int | None:
    """The row's LMS, if the row is still to be delivered."""
    found = session.connection().execute(_PLATFORM, {"row_id": outbox_id}).first()
    return int(found.platform_id) if found is not None and found.state in OPEN_STATES else None


def claim(
    session: Session, outbox_id: int, *, now: datetime, due_by: datetime, stale_before: datetime
) -> Row[Any] | None:
    """The row, claimed: pending and due, or a dead worker's claim (older than
    ``stale_before``, its outcome then unknown); None if neither. Its ``newer_sent`` says
    what was sent for its gradebook cell since (NEWER_NONE, NEWER_OTHER_KIND, NEWER_REPLACES)."""
    connection = session.connection()
    fresh = connection.execute(
        _CLAIM_PENDING, {"row_id": outbox_id, "claimed_at": now, "due_by": due_by}).first()
    if fresh is not None:
        return fresh
    return connection.execute(
        _CLAIM_STALE, {"row_id": outbox_id, "claimed_at": now, "stale_before": stale_before}
    ).first()


def newer_sent_kinds(session: Session, *, stream_key: str, timestamp: datetime) -> list[str]:
    """The kinds of the scores sent for this gradebook cell with a newer timestamp."""
    return list(session.connection().execute(
        _NEWER_SENT, {"stream_key": stream_key, "after": timestamp}).scalars())


def record_sent(session: Session, *, outbox_id: int, attempt: int, status: int | None,
                now: datetime) -> bool:
    """Mark the row sent, unless another worker took it over since this claim."""
    result = session.connection().execute(
        _SENT, {"row_id": outbox_id, "attempt": attempt, "status": status, "sent_at": now})
    return bool(result.rowcount)
