"""The narrow ports through which grading reaches the LMS. lti_tool implements them.

grading never imports lti_tool or pylti1p3: it hands a ScorePost to a Gradebook and reads
Members from a Roster, and learns of failures through the two exceptions below.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class ScorePost:
    """One AGS score (https://www.imsglobal.org/spec/lti-ags/v2p0#score-publish-service)."""

    line_item_url: str
    user_id: str  # the LTI ``sub``
    activity_progress: str  # Initialized | Started | InProgress | Submitted | Completed
    grading_progress: str  # FullyGraded | Pending | PendingManual | Failed | NotReady
    timestamp: datetime  # fixed when the post is decided, so retries send the same thing
    score_given: float | None = None
    score_maximum: float | None = None
    comment: str | None = None
    # Platform extensions, e.g. Canvas's https://canvas.instructure.com/lti/submission.
    extensions: dict[str, Any] = field(default_factory=dict)


class GradebookUnavailable(Exception):
    """Not delivered now, worth retrying (timeouts, 5xx, 429, rate limits)."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class GradebookRefused(Exception):
    """The platform refused for good; ``message`` carries its words."""

    def __init__(self, message: str, *, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class Gradebook(Protocol):
    def publish_score(self, *, platform_id: int, post: ScorePost) -> None: ...


@dataclass(frozen=True)
class Member:
    user_id: str
    roles: tuple[str, ...]
    status: str = "Active"
    name: str = ""
    given_name: str = ""
    family_name: str = ""
    email: str = ""


class Roster(Protocol):
    def members(
        self, *, platform_id: int, memberships_url: str, resource_link_id: str | None = None
    ) -> Iterator[Member]: ...
