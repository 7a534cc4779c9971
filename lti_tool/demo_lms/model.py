"""The records a platform keeps: people, courses, tools, links, line items, results."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

ROLES = ("Instructor", "Learner", "TeachingAssistant", "Administrator", "ContentDeveloper", "Mentor")
STATUSES = ("Active", "Inactive", "Deleted")
PRIVACY_LEVELS = ("anonymous", "name_only", "email_only", "public")


@dataclass
class User:
    """A person; user_id is the LTI `sub` (Canvas lti_id UUID, Moodle numeric id)."""

    user_id: str
    numeric_id: str
    given_name: str
    family_name: str
    email: str
    is_admin: bool = False
    locale: str = "en"
    timezone: str = ""  # IANA name, as the LMS profile sets it; "" when the profile has none

    @property
    def name(self) -> str:
        """Full display name."""
        return f"{self.given_name} {self.family_name}".strip()


@dataclass
class Enrolment:
    """A user's roles in one course (short role names, e.g. "Learner")."""

    user_id: str
    roles: list[str]
    status: str = "Active"


@dataclass
class Course:
    """A course; `id` appears in service URLs, `context_id` in the context claim."""

    id: str
    context_id: str
    label: str
    title: str
    context_history: list[str] = field(default_factory=list)
    members: dict[str, Enrolment] = field(default_factory=dict)


@dataclass
class ToolRegistration:
    """A registered tool (Canvas developer key + deployment, Moodle tool type)."""

    client_id: str
    name: str
    login_url: str
    redirect_uris: list[str]
    jwks_url: str
    target_link_uri: str
    deployment_ids: list[str]
    scopes: list[str]
    privacy_level: str
    type_id: str
    active: bool = True
    custom: dict[str, str] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    domain: str = ""
    description: str = ""

    @property
    def deployment_id(self) -> str:
        """The deployment used when a launch does not name one."""
        return self.deployment_ids[0]

    @property
    def shares_name(self) -> bool:
        """Whether name claims are sent."""
        return self.privacy_level in ("name_only", "public")

    @property
    def shares_email(self) -> bool:
        """Whether the email claim is sent."""
        return self.privacy_level in ("email_only", "public")


@dataclass
class ResourceLink:
    """A placed tool link in a course (Canvas assignment/module item, Moodle activity)."""

    id: str
    course_id: str
    client_id: str
    title: str
    text: str = ""
    url: str | None = None
    custom: dict[str, str] = field(default_factory=dict)
    line_item_id: str | None = None
    history: list[str] = field(default_factory=list)
    due_at: datetime | None = None
    published: bool = True


@dataclass
class LineItem:
    """A gradebook column."""

    id: str
    course_id: str
    client_id: str
    label: str
    score_maximum: float
    resource_link_id: str | None = None
    resource_id: str | None = None
    tag: str | None = None
    start_at: datetime | None = None
    end_at: datetime | None = None
    placeholder: bool = False
    extensions: dict[str, Any] = field(default_factory=dict)


@dataclass
class Result:
    """The stored grade of one user on one line item."""

    id: str
    line_item_id: str
    user_id: str
    timestamp: datetime
    score: float | None = None
    activity_progress: str = "Initialized"
    grading_progress: str = "NotReady"
    comment: str | None = None
    comments: list[str] = field(default_factory=list)
    """Every comment stored, in order: Canvas keeps each score's comment as a new one."""
    applications: int = 0
    """How many score POSTs were applied to this result."""
    attempts: int = 0
    submission_type: str | None = None
    submitted_at: datetime | None = None


@dataclass
class ScorePost:
    """One score POST as received, whether accepted or refused."""

    line_item_id: str
    user_id: str
    body: dict[str, Any]
    received_at: datetime
    status: int
    error: str | None = None


@dataclass
class PendingLaunch:
    """What the platform will put in the id_token once the tool's auth request arrives."""

    hint: str
    client_id: str
    deployment_id: str
    user_id: str
    course_id: str | None
    message_type: str
    login_hint: str
    target_link_uri: str
    resource_link_id: str | None = None
    custom: dict[str, str] = field(default_factory=dict)
    extra_claims: dict[str, Any] = field(default_factory=dict)
    for_user_id: str | None = None
    deep_link_ref: str | None = None
    expires_at: float = 0.0


@dataclass
class DeepLinkRequest:
    """A deep linking request the platform sent and now expects an answer to."""

    ref: str
    client_id: str
    deployment_id: str
    course_id: str
    user_id: str
    placement: str
    settings: dict[str, Any]


@dataclass
class DeepLinkOutcome:
    """What a deep linking response did (for tests and the demo UI)."""

    ref: str
    client_id: str
    status: str
    resource_link_ids: list[str] = field(default_factory=list)
    line_item_ids: list[str] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    messages: dict[str, str] = field(default_factory=dict)
    error: str | None = None


@dataclass
class AccessToken:
    """An OAuth2 bearer token issued by the token endpoint."""

    token: str
    client_id: str
    scopes: frozenset[str]
    expires_at: float


@dataclass
class Stats:
    """Counters tests assert on (token reuse, JWKS cache hits)."""

    tokens_issued: int = 0
    tool_jwks_fetches: int = 0
    score_posts: int = 0
    service_requests: int = 0
