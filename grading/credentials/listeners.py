"""Credentials follow credit: an approval issues one, a reopened credit revokes it; and on a
placement without credit whose instructor turned badges on, a released grade that completes
the work issues a badge.

Imported by the composition root (lti_tool.blueprints) so the listeners are subscribed once.
They run inside the approval's transaction: if issuing fails, the approval is not saved.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from config import runtime
from grading.credentials import completion, service
from grading.credit import events
from grading.people.models import Person
from grading.reviews import events as review_events
from grading.reviews.models import GradeRelease


@events.subscribe
def issue_on_approval(session: Session, event: events.CreditApproved) -> None:
    if event.institution_id is None:
        return  # no institution, no issuer: the credit stands, no badge is made
    service.issue(session, service.Award(
        placement_id=event.placement_id, person_id=event.person_id,
        institution_id=event.institution_id, credits=event.credits,
        verified_hours=event.verified_hours, grade_percent=event.grade_percent,
        awarded_at=event.approved_at, credit_record_id=event.credit_record_id,
        step_id=event.step_id), base_url=runtime.current().settings.base_url)


@events.subscribe_reopened
def revoke_on_reopen(session: Session, event: events.CreditReopened) -> None:
    credential = service.active_for(session, placement_id=event.placement_id,
                                    person_id=event.person_id)
    if credential is not None:
        service.revoke(session, credential, by="Microbridge (credit reopened)",
                       reason=f"The credit was reopened: {event.reason}"[:service.REASON_LIMIT])


@review_events.subscribe
def badge_on_completion(session: Session, event: review_events.GradeReleased) -> None:
    """A placement without credit, with badges on: a released grade that completes the work
    issues a badge (grading.credentials.completion says what completes it)."""
    if not completion.badges_on(session, event.placement_id):
        return
    release = session.get(GradeRelease, event.release_id)
    if release is None:
        return
    for person_id in event.person_ids:
        person = session.get(Person, person_id)
        if person is not None:
            completion.after_release(session, release, person,
                                     base_url=runtime.current().settings.base_url)
