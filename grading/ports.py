"""The narrow ports through which grading reaches the LMS. lti_tool implements them.

grading never imports lti_tool or pylti1p3: it hands a ScorePost to a Gradebook and reads
Members from a Roster, and learns of failures through the exceptions below. What travels is
product intent (what kind of score, which review link, keep the teacher's grade); how each
LMS is told (AGS progress values, Canvas's submission extension) and how its refusals are
read is the adapter's business.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class ScoreKind(enum.StrEnum):
    """What a score tells the LMS; the adapter turns it into AGS progress values and any
    platform extension."""

    SUBMITTED = "submitted"  # work was handed in and waits for a grade: no score travels
    GRADE = "grade"  # a released grade: score, maximum and comment


@dataclass(frozen=True)
class ScorePost:
    """One score for one learner on one gradebook column, as grading means it."""

    line_item_url: str
    user_id: str  # the LTI ``sub``
    kind: ScoreKind
    timestamp: datetime  # fixed when the post is decided, so retries send the same thing
    score_given: float | None = None
    score_maximum: float | None = None
    comment: str | None = None
    review_url: str | None = None
    """Where the LMS may link to the work (a SUBMITTED post)."""
    submitted_at: datetime | None = None
    """When the work was handed in (a SUBMITTED post); the LMS may judge lateness by it."""
    keep_existing_grade: bool = False
    """A grade the LMS already holds (say a teacher's) must survive this post."""


class GradebookUnavailable(Exception):
    """Not delivered now, worth retrying (timeouts, 5xx, 429, rate limits).

    ``outcome_unknown``: the LMS may have applied the score before the failure (it timed
    out, a gateway answered for it, the connection dropped after the score was sent). Exactly
    once means once in the LMS: such a score is looked up (``find_score``) before it is sent
    again.
    """

    def __init__(
        self, message: str, *, retry_after: float | None = None, outcome_unknown: bool = False
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.outcome_unknown = outcome_unknown


class GradebookRefused(Exception):
    """The platform refused for good; ``message`` carries its words."""

    def __init__(self, message: str, *, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class GradebookConflict(GradebookRefused):
    """The LMS already holds a score for this cell at least as new as the post's timestamp."""


class Holding(enum.StrEnum):
    """What the LMS's gradebook cell shows, measured against one ScorePost."""

    THIS = "this"  # this very score: it landed
    NOT_THIS = "not this"  # nothing, or an older entry: it has not landed
    NEWER = "newer"  # an entry newer than this score (someone else's, or a later one)
    UNKNOWN = "unknown"  # the LMS does not show enough to tell


class Gradebook(Protocol):
    def publish_score(self, *, platform_id: int, post: ScorePost) -> None: ...

    def find_score(self, *, platform_id: int, post: ScorePost) -> Holding:
        """Whether the LMS already holds this score (raises GradebookUnavailable when it
        cannot be asked now)."""
        ...


@dataclass(frozen=True)
class Member:
    user_id: str
    roles: tuple[str, ...]
    """Course roles by short name (``Learner``, ``Instructor``, ``TeachingAssistant``...)."""
    status: str = "Active"
    name: str = ""
    given_name: str = ""
    family_name: str = ""
    email: str = ""


class Roster(Protocol):
    def members(
        self, *, platform_id: int, memberships_url: str, resource_link_id: str | None = None
    ) -> Iterator[Member]: ...


@dataclass(frozen=True)
class LaunchFacts:
    """What grading needs to know of the LMS launch behind a session, in grading's terms."""

    resource_link_id: str | None = None
    """The link the learner or instructor came from (None: course navigation, deep linking)."""
    for_user_sub: str | None = None
    """The learner whose work a submission review launch asks to show (their LTI ``sub``)."""


class LaunchReader(Protocol):
    def facts(self, launch_id: str) -> LaunchFacts | None:
        """The facts of a launch still kept, or None once it has expired."""
        ...
