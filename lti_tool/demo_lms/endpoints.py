"""Where each platform service lives, per flavour (Canvas-like or Moodle-like paths)."""

from __future__ import annotations

import re
from dataclasses import dataclass

CANVAS_ISSUER = "https://canvas.instructure.com"


@dataclass(frozen=True)
class Endpoints:
    """Path templates; `{cid}` course, `{item}` line item, `{tid}` tool type, `{ref}` request."""

    jwks: str
    auth: str
    oauth2: str
    line_items: str
    line_item: str
    scores: str
    results: str
    result: str | None
    memberships: str
    deep_link_return: str
    openid_configuration: str
    registration: str
    storage_frame: str | None
    return_url: str

    def url(self, base_url: str, name: str, **values: str) -> str:
        """Build an absolute URL from the template `name`."""
        template: str = getattr(self, name)
        return base_url.rstrip("/") + template.format(**values)

    def rule(self, name: str) -> str:
        """Flask rule for the template `name` (its query string is not part of routing)."""
        template: str = getattr(self, name)
        return re.sub(r"\{(\w+)\}", r"<\1>", template.split("?", 1)[0])


CANVAS = Endpoints(
    jwks="/api/lti/security/jwks",
    auth="/api/lti/authorize_redirect",
    oauth2="/login/oauth2/token",
    line_items="/api/lti/courses/{cid}/line_items",
    line_item="/api/lti/courses/{cid}/line_items/{item}",
    scores="/api/lti/courses/{cid}/line_items/{item}/scores",
    results="/api/lti/courses/{cid}/line_items/{item}/results",
    result="/api/lti/courses/{cid}/line_items/{item}/results/{rid}",
    memberships="/api/lti/courses/{cid}/names_and_roles",
    # Canvas carries its own placement data in the return URL's query string.
    deep_link_return="/courses/{cid}/deep_linking_response?modal=true&data={ref}",
    openid_configuration="/api/lti/security/openid-configuration",
    registration="/api/lti/registrations",
    storage_frame="/post_message_forwarding",
    return_url="/courses/{cid}/external_content/success/external_tool_redirect",
)

# Moodle line item URLs carry `?type_id=`: sub-resources go before the query string.
MOODLE = Endpoints(
    jwks="/mod/lti/certs.php",
    auth="/mod/lti/auth.php",
    oauth2="/mod/lti/token.php",
    line_items="/mod/lti/services.php/{cid}/lineitems?type_id={tid}",
    line_item="/mod/lti/services.php/{cid}/lineitems/{item}/lineitem?type_id={tid}",
    scores="/mod/lti/services.php/{cid}/lineitems/{item}/lineitem/scores?type_id={tid}",
    results="/mod/lti/services.php/{cid}/lineitems/{item}/lineitem/results?type_id={tid}",
    result=None,
    memberships="/mod/lti/services.php/CourseSection/{cid}/bindings/{tid}/memberships",
    deep_link_return="/mod/lti/contentitem_return.php?course={cid}&id={tid}&sesskey={ref}",
    openid_configuration="/mod/lti/openid-configuration.php",
    registration="/mod/lti/openid-registration.php",
    storage_frame=None,
    return_url="/mod/lti/return.php?course={cid}&launch_container=3",
)


def endpoints_for(flavour: str) -> Endpoints:
    """Return the path set of a flavour."""
    if flavour == "canvas":
        return CANVAS
    if flavour == "moodle":
        return MOODLE
    raise ValueError(f"unknown flavour {flavour!r}")
