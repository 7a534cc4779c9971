"""The course's title and the person's name as the launch's own upserts returned them, for
the page the launch answers with (the learner's landing, the instructor's course home).

lti_tool renders that page in a request nested in the launch's (lti_tool/launch/landing_page.py),
which shares the launch's ``g``. The upsert committed the rows it returned, so the page shows
what its own query would read, one round trip sooner. Any other request reads the database.
"""

from __future__ import annotations

from flask import g

from config.web import LaunchIdentity
from grading.courses.service import LearnerLanding


def remember(identity: LaunchIdentity, landing: LearnerLanding) -> None:
    g._landing_seen_at_launch = (identity.course_id, identity.person_id, landing)


def recall(identity: LaunchIdentity) -> LearnerLanding | None:
    """The landing remembered for this person in this course in this request, if any."""
    known = g.get("_landing_seen_at_launch")
    if known is None or known[:2] != (identity.course_id, identity.person_id):
        return None
    landing: LearnerLanding = known[2]
    return landing
