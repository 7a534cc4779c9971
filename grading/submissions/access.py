"""Who may see which work: a learner sees only the attempts made for them (alone or in their
team at the time); instructors see their course's. Someone else's work looks like missing work.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from config.web import LaunchIdentity, NotFound
from grading.placements.models import Placement
from grading.submissions.models import Submission


def member_ids(session: Session, submission: Submission) -> list[int]:
    """Who a submission belongs to: the people it was submitted for."""
    if submission.member_ids:
        return list(submission.member_ids)
    return [submission.person_id] if submission.person_id is not None else []


def learner_may_see(session: Session, *, submission: Submission, person_id: int) -> bool:
    """A learner sees an attempt made for them: its members, fixed when it was submitted.

    Joining a team later does not open what the team handed in before (or its grade): those
    are the education records of the members who made it.
    """
    return person_id in member_ids(session, submission)


def submission_for_viewer(
    session: Session, *, identity: LaunchIdentity, submission_id: int
) -> Submission:
    """A submission the launched person may see: instructors in their course, learners theirs."""
    submission = session.get(Submission, submission_id)
    placement = session.get(Placement, submission.placement_id) if submission else None
    if submission is None or placement is None or placement.course_id != identity.course_id:
        raise NotFound("There is no such submission in this course.", title="Not found")
    if identity.is_instructor:
        return submission
    if not learner_may_see(session, submission=submission, person_id=identity.person_id):
        # Someone else's work looks like missing work: not even its existence is disclosed.
        raise NotFound("There is no such submission in this course.", title="Not found")
    return submission
