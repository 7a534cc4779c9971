"""The LtiDeepLinkingResponse: one ltiResourceLink per placed project, signed with our key.

https://www.imsglobal.org/spec/lti-dl/v2p0#deep-linking-response-message. Built on pylti1p3's
DeepLink (iss = client_id, aud = [platform issuer], a fresh nonce, deployment_id, message type,
version, the request's ``data`` echoed) and signed RS256 with the tool's current key, whose kid
the platform finds at our JWKS URL (LTI-NOTES pitfall 15). Each item carries:

- ``lineItem`` {scoreMaximum, label, resourceId = the placement's id, tag}, unless the platform
  said ``accept_lineitem: false`` (Canvas requires scoreMaximum, pitfall 14);
- ``custom``: the placement's key, and the substitution variables that tell us, at each launch,
  the LMS's due date and the ids a copied link came from (pitfalls 24, 25);
- ``submission.endDateTime`` for the due date (Canvas sets the assignment's due date from it).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import jwt
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from config.keypairs import private_key
from grading.placements.models import Placement
from grading.placements.service import LINE_ITEM_TAG
from lti_tool.deep_linking.settings import DeepLinkSettings
from lti_tool.keys.service import SigningKey
from lti_tool.registry.models import Flavour, Platform
from lti_tool.registry.tool_conf import registration_for
from lti_tool.services.ags_lineitems import iso

PLACEMENT_PARAM = "microbridge_placement"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
RESPONSE_TTL = 600

# Canvas substitutes these; other platforms send the literal name, which launches ignore.
CANVAS_CUSTOM = {
    "context_id_history": "$Context.id.history",
    "resource_link_id_history": "$ResourceLink.id.history",
    "canvas_due_at": "$Canvas.assignment.dueAt.iso8601",
}
COMMON_CUSTOM = {"due_at": "$ResourceLink.submission.endDateTime"}


def custom_parameters(placement: Placement, *, flavour: str) -> dict[str, str]:
    custom = {PLACEMENT_PARAM: placement.key, **COMMON_CUSTOM}
    if flavour == Flavour.CANVAS.value:
        custom.update(CANVAS_CUSTOM)
    return custom


def content_item(
    placement: Placement,
    *,
    launch_url: str,
    summary: str,
    flavour: str,
    with_line_item: bool,
    target: str = "iframe",
) -> dict[str, Any]:
    resource = (
        DeepLinkResource()
        .set_type("ltiResourceLink")
        .set_title(placement.title)
        .set_url(launch_url)
        .set_custom_params(custom_parameters(placement, flavour=flavour))
        .set_target(target)
    )
    if with_line_item:
        resource.set_lineitem(
            LineItem()
            .set_score_maximum(placement.score_maximum)
            .set_label(placement.title)
            .set_resource_id(str(placement.id))
            .set_tag(LINE_ITEM_TAG)
        )
    item = resource.to_dict()
    if summary:
        item["text"] = summary
    if target == "window":  # the platform does not frame tools here: open a new tab
        item["window"] = {"targetName": "_blank"}
    if placement.due_at is not None:
        item["submission"] = {"endDateTime": iso(placement.due_at)}
    return item


def signed_response(
    platform: Platform,
    key: SigningKey,
    *,
    deployment_id: str,
    settings: DeepLinkSettings,
    items: Sequence[dict[str, Any]],
    message: str = "",
) -> str:
    """The JWT to POST back to ``deep_link_return_url`` as the form field ``JWT``."""
    deep_link = DeepLink(
        registration_for(platform, key), deployment_id, dict(settings.raw or {})  # type: ignore[arg-type]
    )
    claims: dict[str, Any] = deep_link.get_message_jwt([])
    claims[DL + "content_items"] = list(items)
    if settings.data is None:
        claims.pop(DL + "data", None)  # nothing to echo: leave the claim out, not null
    if message:
        claims[DL + "msg"] = message
    now = int(time.time())
    claims.update(iat=now, exp=now + RESPONSE_TTL)
    return jwt.encode(claims, private_key(key.private_pem), algorithm="RS256",
                      headers={"kid": key.kid})
