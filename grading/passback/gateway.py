"""What a gradebook may offer beyond the port: reading back what the LMS holds.

The gradebook itself comes from the runtime (``grading.runtime``), built by lti_tool.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable


@runtime_checkable
class ResultReader(Protocol):
    """A gradebook that can also say what the LMS holds for one user (AGS results)."""

    def result_timestamp(
        self, *, platform_id: int, line_item_url: str, user_id: str
    ) -> datetime | None: ...
