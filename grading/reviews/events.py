"""The grade-released event: what other parts (completion badges) hear when a grade is released.

``subscribe`` a listener once, at import time of the module that owns it (the composition root
imports that module). ``grade_released`` calls every listener inside the releasing
transaction, after the grade and its outbox rows are flushed: a listener flushes (never
commits), and if it raises, the release is rolled back with it, so nothing is half-saved.
Only a new release is announced: releasing the same grade again writes and says nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class GradeReleased:
    """A grade was released for one submission (one learner, or every member of a team)."""

    release_id: int
    """The ``GradeRelease``: an idempotency key for listeners."""
    placement_id: int
    person_ids: Sequence[int]
    score_given: float
    score_maximum: float
    released_at: datetime


GradeReleasedListener = Callable[[Session, GradeReleased], None]
_released: list[GradeReleasedListener] = []


def subscribe(listener: GradeReleasedListener) -> GradeReleasedListener:
    """Call ``listener`` on every new release from now on (usable as a decorator)."""
    if listener not in _released:
        _released.append(listener)
    return listener


def unsubscribe(listener: GradeReleasedListener) -> None:
    if listener in _released:
        _released.remove(listener)


def grade_released(session: Session, event: GradeReleased) -> None:
    """Tell every listener; called by grading.reviews.release only."""
    for listener in list(_released):
        listener(session, event)
