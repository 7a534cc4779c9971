"""A placement's gradebook column (its AGS line item): find or create it, keep it in step.

Called at the first launch of a link that has no line item yet (a link made by hand, a
platform that ignored the deep linking ``lineItem``, a copy without one), from the
"try again" button, and when the instructor changes the title, points or due date. A failure
never breaks the page: it is recorded on the placement and shown to the instructor.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from config import runtime
from grading.placements import service as placements
from grading.placements.models import Placement
from grading.placements.service import LINE_ITEM_TAG
from lti_tool.launch import claims
from lti_tool.services import ags_lineitems as ags
from lti_tool.services.connector import PlatformConnector, ServiceError, connector_for

NO_AGS = (
    "The LMS gives Microbridge no access to this course's gradebook (Assignment and Grade "
    "Services), so grades cannot be sent to it."
)
NO_LINEITEM_SCOPE = (
    "The LMS lets Microbridge send scores but not create gradebook columns: add this activity "
    "as a graded assignment in the LMS, or ask your LMS administrator to grant the line item "
    "scope."
)


def ags_claim(body: dict[str, Any]) -> dict[str, Any]:
    endpoint = body.get(claims.AGS_ENDPOINT)
    return endpoint if isinstance(endpoint, dict) else {}


def connector(platform_id: int) -> PlatformConnector:
    """A connector built in its own short session, so no transaction waits on the network."""
    rt = runtime.current()
    with rt.session_factory() as session:
        return connector_for(session, rt.store, platform_id=platform_id)


def ensure(
    placement: Placement,
    *,
    platform_id: int,
    lineitems_url: str,
    scopes: Sequence[str] | None = None,
) -> bool:
    """Give the placement a line item: the link's own, ours by resourceId, or a new one."""
    if placement.line_item_url:
        return True
    if not placement.resource_link_id:
        return False  # not launched yet: a column now would not be tied to the link
    if not lineitems_url:
        placements.record_line_item_error(placement, NO_AGS)
        return False
    if scopes is not None and ags.SCOPE_LINEITEM not in scopes:
        placements.record_line_item_error(placement, NO_LINEITEM_SCOPE)
        return False
    try:
        client = connector(platform_id)
        item = ags.find(
            client, lineitems_url,
            resource_link_id=placement.resource_link_id, resource_id=str(placement.id),
        )
        if item is None:
            item = ags.create(
                client, lineitems_url,
                label=placement.title,
                score_maximum=placement.score_maximum,
                resource_link_id=placement.resource_link_id,
                resource_id=str(placement.id),
                tag=LINE_ITEM_TAG,
                end_date_time=placement.due_at,
            )
    except (ServiceError, ValueError) as error:
        placements.record_line_item_error(
            placement, f"The LMS's gradebook column could not be found or created: {error}"
        )
        return False
    placements.set_line_item(placement, item.url)
    return True


def push_settings(placement: Placement, *, platform_id: int) -> bool:
    """PUT the title, points and due date to the line item (the LMS keeps its other fields)."""
    if not placement.line_item_url:
        return False
    try:
        ags.update(
            connector(platform_id), placement.line_item_url,
            label=placement.title, score_maximum=placement.score_maximum,
            end_date_time=placement.due_at,
        )
    except (ServiceError, ValueError) as error:
        placements.record_line_item_error(
            placement, f"The LMS's gradebook column could not be updated: {error}"
        )
        return False
    placement.line_item_error = ""
    return True
