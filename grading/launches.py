"""What grading needs from the current LTI launch, as typed facts (``grading.ports``).

lti_tool's launch reader turns the launch's stored message into ``LaunchFacts``; grading
never reads the message itself.
"""

from __future__ import annotations

from config.web import LaunchIdentity, UserFacingError
from grading import runtime
from grading.ports import LaunchFacts

NO_FACTS = LaunchFacts()


def facts(identity: LaunchIdentity) -> LaunchFacts:
    if not identity.launch_id:
        return NO_FACTS
    found = runtime.current().launches.facts(identity.launch_id)
    if found is None:
        # The launch's message is gone from the store (expired, or the store restarted
        # empty): without it the page would guess, e.g. "no project here".
        raise UserFacingError(
            "Microbridge no longer holds the details of the launch that opened this page, so "
            "this session has ended. Nothing you saved is lost.",
            title="Your session has ended",
            hint="Go back to your course in Canvas or Moodle and open the Microbridge link "
            "again: the LMS starts a new session for you.",
            status=401,
        )
    return found


def resource_link_id(identity: LaunchIdentity) -> str | None:
    return facts(identity).resource_link_id


def for_user_sub(identity: LaunchIdentity) -> str | None:
    """The learner an LtiSubmissionReviewRequest is about."""
    return facts(identity).for_user_sub
