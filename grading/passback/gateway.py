"""Where grading finds the LMS: the Gradebook and Roster the composition root installs.

lti_tool fills these at start-up (``create_app`` and the Celery worker); grading only knows
the ports in ``grading.ports``. Tests may install a fake.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

from grading.ports import Gradebook, Roster


@runtime_checkable
class ResultReader(Protocol):
    """A gradebook that can also say what the LMS holds for one user (AGS results)."""

    def result_timestamp(
        self, *, platform_id: int, line_item_url: str, user_id: str
    ) -> datetime | None: ...


_gradebook: Gradebook | None = None
_roster: Roster | None = None


def set_gradebook(gradebook: Gradebook | None) -> None:
    """Install the gradebook scores go to (lti_tool: AGS over the platform connector)."""
    global _gradebook
    _gradebook = gradebook


def gradebook() -> Gradebook:
    if _gradebook is None:
        raise RuntimeError("No gradebook is installed: call set_gradebook() at start-up")
    return _gradebook


def set_roster(roster: Roster | None) -> None:
    """Install the course roster (lti_tool: NRPS)."""
    global _roster
    _roster = roster


def roster() -> Roster | None:
    return _roster
