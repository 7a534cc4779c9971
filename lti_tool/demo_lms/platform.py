"""The emulated LMS: one object holding keys, data and settings, with the test-facing API."""

from __future__ import annotations

import hashlib
import threading
from typing import Any, cast
from urllib.parse import urlsplit

from flask import current_app

from . import claims, gradebook, oidc, registration, roster, tokens, tools
from .endpoints import CANVAS_ISSUER, endpoints_for
from .faults import FaultInjector
from .keys import CURRENT, KeySet
from .model import (
    Course,
    DeepLinkOutcome,
    LineItem,
    ResourceLink,
    Stats,
    ToolRegistration,
    User,
)
from .state import State
from .tool_keys import ToolKeyCache

UserRef = User | str
CourseRef = Course | str
ToolRef = ToolRegistration | str
LinkRef = ResourceLink | str
ItemRef = LineItem | str


class Platform:
    """An LTI 1.3 platform in the style of Canvas or Moodle (see package docstring)."""

    def __init__(
        self,
        flavour: str = "canvas",
        *,
        base_url: str = "http://localhost",
        issuer: str | None = None,
        name: str | None = None,
        platform_storage: bool | None = None,
        keys: KeySet | None = None,
    ) -> None:
        self.flavour = flavour
        self.endpoints = endpoints_for(flavour)
        self.base_url = base_url
        self._issuer = issuer
        self.name = name or ("Demo University" if self.is_canvas else "Demo Moodle")
        self.platform_storage = self.is_canvas if platform_storage is None else platform_storage
        self.keys = keys or KeySet()
        self.lock = threading.RLock()
        self.state = State()
        self.stats = Stats()
        self.faults = FaultInjector()
        self.tool_keys = ToolKeyCache(self.stats)
        # Knobs for tests and benchmarks:
        self.latency_ms = 0  # slept before each AGS/NRPS request
        self.nrps_short_pages = False  # pages shorter than `limit` while a next link remains
        self.token_ttl = 3600  # access token expires_in
        # Canvas pages by 10 unless asked, at most 50; Moodle returns everything unless asked.
        self.default_page_size = 10 if self.is_canvas else None
        self.max_page_size: int | None = 50 if self.is_canvas else None
        self.state_file: str | None = None  # demo: saved after each change when set
        self.suggested_tool_url = ""  # demo: pre-filled registration URL on /admin

    # -- identity and URLs -------------------------------------------------------------------

    @property
    def is_canvas(self) -> bool:
        """True for the Canvas flavour."""
        return self.flavour == "canvas"

    @property
    def base_url(self) -> str:
        """Where the platform is served (may include a mount prefix)."""
        return self._base_url

    @base_url.setter
    def base_url(self, value: str) -> None:
        self._base_url = value.rstrip("/")

    @property
    def issuer(self) -> str:
        """`iss` of platform messages: one shared value on Canvas cloud, the site URL on Moodle."""
        if self._issuer is not None:
            return self._issuer
        return CANVAS_ISSUER if self.is_canvas else self.base_url

    @issuer.setter
    def issuer(self, value: str | None) -> None:
        self._issuer = value

    @property
    def guid(self) -> str:
        """tool_platform.guid."""
        if self.is_canvas:
            digest = hashlib.sha1(self.base_url.encode(), usedforsecurity=False).hexdigest()
            return f"{digest}:canvas-lms"
        return urlsplit(self.base_url).netloc

    def url(self, name: str, **values: str) -> str:
        """Absolute URL of an endpoint template (see endpoints.py)."""
        return self.endpoints.url(self.base_url, name, **values)

    @property
    def jwks_url(self) -> str:
        """The platform JWKS."""
        return self.url("jwks")

    @property
    def auth_url(self) -> str:
        """The OIDC authorization endpoint."""
        return self.url("auth")

    @property
    def token_url(self) -> str:
        """The OAuth2 token endpoint."""
        return self.url("oauth2")

    @property
    def openid_configuration_url(self) -> str:
        """The Dynamic Registration openid-configuration document."""
        return self.url("openid_configuration")

    @property
    def registration_url(self) -> str:
        """The Dynamic Registration client registration endpoint."""
        return self.url("registration")

    def line_items_url(self, course: CourseRef, tool: ToolRef) -> str:
        """The AGS line items container of a course, as this tool sees it."""
        cid, tid = self.get_course(course).id, self.get_tool(tool).type_id
        return self.url("line_items", cid=cid, tid=tid)

    def line_item_url(self, item: ItemRef) -> str:
        """The AGS line item URL (Moodle: with ?type_id=)."""
        return self._item_url("line_item", item)

    def scores_url(self, item: ItemRef) -> str:
        """The scores endpoint of a line item."""
        return self._item_url("scores", item)

    def results_url(self, item: ItemRef) -> str:
        """The results endpoint of a line item."""
        return self._item_url("results", item)

    def memberships_url(self, course: CourseRef, tool: ToolRef) -> str:
        """The NRPS context membership URL."""
        cid, tid = self.get_course(course).id, self.get_tool(tool).type_id
        return self.url("memberships", cid=cid, tid=tid)

    def _item_url(self, name: str, item: ItemRef) -> str:
        line_item = self.get_line_item(item)
        tid = self.get_tool(line_item.client_id).type_id
        return self.url(name, cid=line_item.course_id, item=line_item.id, tid=tid)

    # -- keys ------------------------------------------------------------------------------

    def rotate_keys(self, *, drop_old: bool = False) -> str:
        """Start signing with a new key; return its kid."""
        with self.lock:
            return self.keys.rotate(drop_old=drop_old).kid

    def sign(
        self,
        claims: dict[str, Any],
        *,
        kid: str | None = CURRENT,
        alg: str = "RS256",
        headers: dict[str, Any] | None = None,
        key: Any = None,
    ) -> str:
        """Sign any claims as the platform; bend kid/alg/headers/key to craft bad tokens."""
        return self.keys.sign(claims, kid=kid, alg=alg, headers=headers, key=key)

    # -- lookups -----------------------------------------------------------------------------

    def get_user(self, ref: UserRef) -> User:
        """A user by object, `sub`, or (Canvas) numeric id."""
        user_id = ref.user_id if isinstance(ref, User) else ref
        with self.lock:
            found = self.state.users.get(user_id)
            if found is None:
                found = next((u for u in self.state.users.values() if u.numeric_id == user_id), None)
            if found is None:
                raise KeyError(f"no user {user_id!r}")
            return found

    def get_course(self, ref: CourseRef) -> Course:
        """A course by object or id."""
        return self.state.courses[ref.id if isinstance(ref, Course) else ref]

    def get_tool(self, ref: ToolRef) -> ToolRegistration:
        """A tool by object or client_id."""
        return self.state.tools[ref.client_id if isinstance(ref, ToolRegistration) else ref]

    def get_link(self, ref: LinkRef) -> ResourceLink:
        """A resource link by object or id."""
        return self.state.links[ref.id if isinstance(ref, ResourceLink) else ref]

    def get_line_item(self, ref: ItemRef) -> LineItem:
        """A line item by object or id."""
        return self.state.line_items[ref.id if isinstance(ref, LineItem) else ref]

    # -- data set-up, observations, launches, services --------------------------------------
    # The functions live in small modules and take the platform first; binding them here
    # gives one typed facade without restating their signatures.

    add_course = roster.add_course
    add_user = roster.add_user
    enrol = roster.enrol
    set_status = roster.set_status
    add_members = roster.add_members
    copy_course = roster.copy_course
    register_tool = tools.register_tool
    activate = tools.activate
    add_resource_link = gradebook.add_resource_link
    copy_resource_link = gradebook.copy_resource_link
    add_line_item = gradebook.add_line_item
    set_due_date = gradebook.set_due_date
    result = gradebook.get_result
    score_posts = gradebook.score_posts
    line_items = gradebook.course_line_items
    login_initiation = oidc.login_initiation
    auth_response = oidc.auth_response
    base_claims = claims.base_claims
    id_token = claims.id_token
    issue_access_token = tokens.issue_access_token
    expire_tokens = tokens.expire_tokens
    registration_start = registration.start_url

    @property
    def deep_link_outcomes(self) -> list[DeepLinkOutcome]:
        """What each deep linking response did, oldest first."""
        with self.lock:
            return list(self.state.deep_link_outcomes)


def current_platform() -> Platform:
    """The platform served by the current Flask app."""
    return cast(Platform, current_app.extensions["demo_lms"])
