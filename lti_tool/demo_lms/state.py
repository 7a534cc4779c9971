"""All mutable platform data in one place, so it can be locked and saved as a whole."""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import (
    AccessToken,
    Course,
    DeepLinkOutcome,
    DeepLinkRequest,
    LineItem,
    PendingLaunch,
    ResourceLink,
    Result,
    ScorePost,
    ToolRegistration,
    User,
)


@dataclass
class State:
    """The platform's tables. Guard every access with Platform.lock."""

    users: dict[str, User] = field(default_factory=dict)
    courses: dict[str, Course] = field(default_factory=dict)
    tools: dict[str, ToolRegistration] = field(default_factory=dict)
    links: dict[str, ResourceLink] = field(default_factory=dict)
    line_items: dict[str, LineItem] = field(default_factory=dict)
    results: dict[str, Result] = field(default_factory=dict)
    score_log: list[ScorePost] = field(default_factory=list)
    deep_link_outcomes: list[DeepLinkOutcome] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    # Ephemeral: not saved to the demo state file.
    pending: dict[str, PendingLaunch] = field(default_factory=dict)
    deep_link_requests: dict[str, DeepLinkRequest] = field(default_factory=dict)
    tokens: dict[str, AccessToken] = field(default_factory=dict)
    seen_jtis: dict[str, float] = field(default_factory=dict)

    def next_id(self, kind: str, start: int = 1) -> int:
        """Return the next number in a sequence (course ids, line item ids, ...)."""
        value = self.counters.get(kind, start - 1) + 1
        self.counters[kind] = value
        return value

    @staticmethod
    def result_key(line_item_id: str, user_id: str) -> str:
        """Key of a result in `results`."""
        return f"{line_item_id}|{user_id}"
