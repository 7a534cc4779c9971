"""Where a launch lands: instructors on the course home, learners on their project."""

from __future__ import annotations

from config.web import LaunchIdentity
from lti_tool.launch import claims


def landing_endpoint(identity: LaunchIdentity) -> str:
    if identity.message_type == claims.DEEP_LINKING_REQUEST:
        return "deep_linking.picker"
    if identity.message_type == claims.SUBMISSION_REVIEW_REQUEST:
        return "reviews.submission_review"
    if identity.is_instructor:
        return "courses.home"
    return "courses.my_project"
