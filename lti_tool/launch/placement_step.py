"""The placement step that ends every resource link launch, and where the launch lands.

From the claims: the resource link, our custom parameters (the placement's key, the link and
context id history of a copied course, the LMS's due date) and the AGS endpoint. Grading
decides what the link is (found, first launch after deep linking, a copy to set up, nothing
yet); this module adds the LMS side: the line item named in the launch, or found or created
through AGS when the link has none.

A custom value that starts with ``$`` is a substitution variable the platform did not know
and sent as is: it counts as absent (LTI-NOTES pitfall 27).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from config.database import commit_around
from config.web import LAUNCH_TOKEN_PARAM, LaunchIdentity, launch_token, url
from grading.choices import service as choice_sets
from grading.placements import service as placements
from grading.placements.models import Placement
from grading.placements.service import LinkRef, LinkState
from lti_tool.deep_linking import gradebook_column
from lti_tool.deep_linking.response import PLACEMENT_PARAM
from lti_tool.launch import claims
from lti_tool.launch.landing import landing_endpoint

CANVAS_PLACEMENT = "https://www.instructure.com/placement"
DUE_PARAMS = ("due_at", "canvas_due_at")


@dataclass(frozen=True)
class Landing:
    endpoint: str
    values: dict[str, Any] = field(default_factory=dict)

    def location(self) -> str:
        """The landing page's address (the launch answers with that page); the launch token
        comes first in the query string."""
        token = launch_token()
        first = {LAUNCH_TOKEN_PARAM: token} if token else {}
        return url(self.endpoint, **first, **self.values)


def custom_value(custom: Any, name: str) -> str | None:
    if not isinstance(custom, dict):
        return None
    value = custom.get(name)
    if not isinstance(value, str):
        return None
    value = value.strip()
    return None if not value or value.startswith("$") else value


def id_list(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def reported_due_date(custom: Any) -> datetime | None:
    """The due date the LMS reports now ($ResourceLink.submission.endDateTime, Canvas's own)."""
    for name in DUE_PARAMS:
        raw = custom_value(custom, name)
        if raw is None:
            continue
        try:
            parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            continue
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    return None


def resource_link_id(body: dict[str, Any]) -> str | None:
    link = body.get(claims.RESOURCE_LINK)
    if isinstance(link, dict) and link.get("id"):
        return str(link["id"])
    return None


def is_course_navigation(body: dict[str, Any]) -> bool:
    """Canvas's course navigation launch: it opens the course home, never a project."""
    if body.get(CANVAS_PLACEMENT) == "course_navigation":
        return True
    context = body.get(claims.CONTEXT)
    link_id = resource_link_id(body)
    return isinstance(context, dict) and link_id is not None and link_id == context.get("id")


def placed_link_id(body: dict[str, Any]) -> str | None:
    """The resource link that can hold a placement (course navigation never does)."""
    if body.get(claims.MESSAGE_TYPE) != claims.RESOURCE_LINK_REQUEST or is_course_navigation(body):
        return None
    return resource_link_id(body)


def link_ref(
    identity: LaunchIdentity, body: dict[str, Any], *, placement_at_link: int | None
) -> LinkRef:
    custom = body.get(claims.CUSTOM)
    assert identity.course_id is not None
    return LinkRef(
        course_id=identity.course_id,
        resource_link_id=placed_link_id(body),
        placement_key=custom_value(custom, PLACEMENT_PARAM),
        link_history=id_list(custom_value(custom, "resource_link_id_history")),
        context_history=id_list(custom_value(custom, "context_id_history")),
        placement_at_link=placement_at_link,
    )


def after_launch(
    session: Session,
    *,
    identity: LaunchIdentity,
    body: dict[str, Any],
    placement_at_link: int | None,
) -> Landing:
    """Find (or set up) the launch's placement and decide the landing page.

    Runs after the launch itself is recorded, and commits what it changes: first the
    placement, then (after any AGS call, made outside the transaction) its line item.
    It is the launch view's step: the session is the view's.
    ``placement_at_link`` is what the launch's own upsert already found at the link.
    """
    if identity.message_type != claims.RESOURCE_LINK_REQUEST or identity.course_id is None:
        return Landing(landing_endpoint(identity))
    resolution = placements.resolve(
        session, link=link_ref(identity, body, placement_at_link=placement_at_link),
        instructor=identity.is_instructor, person_id=identity.person_id,
    )
    placement = resolution.placement
    if placement is not None:
        known_column = placement.line_item_url
        note_launch(placement, body)
        commit_around(session, functools.partial(_ensure_column, identity, placement, body))
        # A choice of projects grades into its activity's column: only a new column costs a query.
        if placement.line_item_url != known_column and choice_sets.share_line_item(session, placement):
            session.commit()
    return landing_for(identity, resolution.outcome, placement, course_navigation=is_course_navigation(body))


def _ensure_column(identity: LaunchIdentity, placement: Placement, body: dict[str, Any]) -> bool:
    # Learners retry a failed column only until it has failed once: no slow launches.
    if placement.line_item_url or (not identity.is_instructor and placement.line_item_error):
        return bool(placement.line_item_url)
    ags = gradebook_column.ags_claim(body)
    scopes = ags.get("scope")
    return gradebook_column.ensure(
        placement, platform_id=identity.platform_id,
        lineitems_url=str(ags.get("lineitems") or placement.course.lineitems_url or ""),
        scopes=[str(s) for s in scopes] if isinstance(scopes, list) else None,
    )


def note_launch(placement: Placement, body: dict[str, Any]) -> None:
    """What each launch tells about the link: its due date now, its line item."""
    placements.note_lms_due_date(placement, reported_due_date(body.get(claims.CUSTOM)))
    line_item = gradebook_column.ags_claim(body).get("lineitem")
    if isinstance(line_item, str) and line_item and line_item != placement.line_item_url:
        placements.set_line_item(placement, line_item)


def landing_for(
    identity: LaunchIdentity, outcome: LinkState, placement: Placement | None, *, course_navigation: bool
) -> Landing:
    if not identity.is_instructor:
        if placement is not None:
            return Landing("dashboards.student_page", {"placement_id": placement.id})
        return Landing(landing_endpoint(identity))
    if placement is not None:
        return Landing("placements.show", {"placement_id": placement.id})
    if outcome == LinkState.UNPLACED and not course_navigation:
        return Landing("courses.home", {"link": "unplaced"})
    return Landing("courses.home")
