"""What grading needs from the current LTI launch, without knowing LTI's wire format well.

lti_tool installs a reader at start-up that returns a launch's stored claims; grading asks
it only for the resource link, the custom parameters and, in a submission review launch,
the learner whose work is to be shown (``for_user``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from config.web import LaunchIdentity

LTI = "https://purl.imsglobal.org/spec/lti/claim/"

LaunchReader = Callable[[str], dict[str, Any] | None]
_reader: LaunchReader | None = None


def set_launch_reader(reader: LaunchReader | None) -> None:
    global _reader
    _reader = reader


def claims(identity: LaunchIdentity) -> dict[str, Any]:
    if _reader is None or not identity.launch_id:
        return {}
    return _reader(identity.launch_id) or {}


def resource_link_id(identity: LaunchIdentity) -> str | None:
    link = claims(identity).get(LTI + "resource_link")
    if isinstance(link, dict) and link.get("id"):
        return str(link["id"])
    return None


def for_user_sub(identity: LaunchIdentity) -> str | None:
    """The learner an LtiSubmissionReviewRequest is about."""
    user = claims(identity).get(LTI + "for_user")
    if isinstance(user, dict) and user.get("user_id"):
        return str(user["user_id"])
    return None
