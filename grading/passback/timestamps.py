"""Score timestamps: strictly increasing, whole second by whole second, per gradebook cell.

Moodle refuses a score whose timestamp is not newer than the stored one to the second (409)
and Canvas refuses an older one (400), so each new row of a cell is a second past the last.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.database import utcnow
from grading.passback.models import ScoreOutbox


def next_timestamp(session: Session, key: str, *, now: datetime | None = None) -> datetime:
    """A whole second later than any score already written for this gradebook cell."""
    candidate = (now or utcnow()).replace(microsecond=0)
    last = session.scalar(select(func.max(ScoreOutbox.timestamp)).where(ScoreOutbox.stream_key == key))
    if last is not None and candidate <= last:
        candidate = last.replace(microsecond=0) + timedelta(seconds=1)
    return candidate
