"""Score timestamps: strictly increasing, whole second by whole second, per gradebook cell.

Moodle refuses a score whose timestamp is not newer than the stored one to the second (409)
and Canvas refuses an older one (400), so each new row of a cell is a second past the last.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, String, func, literal_column, select
from sqlalchemy.orm import Session

from config.database import UTCDateTime, utcnow
from grading.passback.models import ScoreOutbox


def next_timestamp(session: Session, key: str, *, now: datetime | None = None) -> datetime:
    """A whole second later than any score already written for this gradebook cell."""
    candidate = (now or utcnow()).replace(microsecond=0)
    last = session.scalar(select(func.max(ScoreOutbox.timestamp)).where(ScoreOutbox.stream_key == key))
    if last is not None and candidate <= last:
        candidate = last.replace(microsecond=0) + timedelta(seconds=1)
    return candidate


def next_timestamp_sql(
    dialect: str, key: ColumnElement[str], candidate: ColumnElement[datetime]
) -> ColumnElement[datetime]:
    """``next_timestamp`` as SQL, for the insert that writes the row: one statement instead of
    a read and then a write (a row is written per grade released). ``candidate`` is the
    current time cut to the whole second."""
    last = (
        select(func.max(ScoreOutbox.timestamp))
        .where(ScoreOutbox.stream_key == key)
        .scalar_subquery()
    )
    if dialect == "postgresql":
        # GREATEST skips NULL: a cell's first score takes the candidate.
        later = func.date_trunc("second", last) + literal_column("interval '1 second'")
        return func.greatest(candidate, later, type_=UTCDateTime())
    # SQLite keeps datetimes as text in SQLAlchemy's "YYYY-MM-DD HH:MM:SS.ffffff", which
    # sorts as time does: the next whole second is written in that form and compared as text.
    later = func.strftime("%Y-%m-%d %H:%M:%S", last, "+1 second", type_=String).concat(".000000")
    return func.coalesce(func.max(candidate, later), candidate, type_=UTCDateTime())
