"""What grading needs from the current LTI launch, as typed facts (``grading.ports``).

lti_tool's launch reader turns the launch's stored message into ``LaunchFacts``; grading
never reads the message itself.
"""

from __future__ import annotations

from config.web import LaunchIdentity
from grading import runtime
from grading.ports import LaunchFacts

NO_FACTS = LaunchFacts()


def facts(identity: LaunchIdentity) -> LaunchFacts:
    if not identity.launch_id:
        return NO_FACTS
    return runtime.current().launches.facts(identity.launch_id) or NO_FACTS


def resource_link_id(identity: LaunchIdentity) -> str | None:
    return facts(identity).resource_link_id


def for_user_sub(identity: LaunchIdentity) -> str | None:
    """The learner an LtiSubmissionReviewRequest is about."""
    return facts(identity).for_user_sub
