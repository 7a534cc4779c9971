"""Badges on completion: an Open Badge for a placement that does not bear credit, when the
instructor turns "Issue a badge on completion" on (off by default).

**Completion, precisely**: a grade is released to the student (and the gradebook) for their
work, alone or in a team, and it is at least the institution's minimum grade for credit
(``CreditPolicy.minimum_grade_percent``, 60% by default), and the student is still on the
course's roster. Why the minimum and not any grade: a badge is shown to employers as proof
the work was done well enough to count; a 12% grade is a released grade but no completion a
demanding instructor would sign. The policy's minimum is the bar the same institution already
set for "this work counts", so a badge and credit never disagree about what passing is, and
nobody has a second threshold to keep in step. Verified hours are not needed (no credit is
computed from them); when someone verified them, the badge states them.

**Once, and kept true** (the same rule as credit reopening): the grade release is the
idempotency key, so a release heard twice issues one badge. A new release at the same grade
keeps the badge. A new release at a different grade revokes the badge (with the reason) and,
if the new grade still completes the work, issues a new one stating it; below the bar, the
badge is only revoked. Turning the setting off, or making the placement credit-bearing, takes
no badge back: it only stops new ones. Turning it on issues badges to students who had already
completed the work.

Hours verified after the badge was issued do not change it (it states the hours verified when
the grade was released, if any): the release is the badge's idempotency key, and a badge
reissued for the same release would need another.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from catalog.credit_office.service import policy_for
from grading.credentials import service
from grading.credit import rules
from grading.credit import service as credit
from grading.people.models import Person
from grading.placements.models import Placement
from grading.reviews.models import GradeRelease
from grading.reviews.notices import institution_of
from grading.reviews.records import latest_releases
from grading.submissions.access import member_ids
from grading.submissions.service import latest_per_owner


@dataclass(frozen=True)
class Completion:
    """What the rule needs to know about one student's released work."""

    badges_on: bool
    """The instructor's switch, on a placement that does not bear credit."""
    grade_percent: Decimal
    minimum_grade_percent: Decimal
    on_roster: bool = True


def completed(c: Completion) -> bool:
    """The student completed the work in a way that earns the placement's badge."""
    return c.badges_on and c.on_roster and c.grade_percent >= c.minimum_grade_percent


class Action(enum.StrEnum):
    NOTHING = "nothing"
    ISSUE = "issue"
    KEEP = "keep"
    REISSUE = "reissue"  # revoke the badge, issue one with the new grade
    REVOKE = "revoke"


def action(*, badges_on: bool, earns: bool, badge_grade: Decimal | None,
           grade: Decimal) -> Action:
    """What a new release does to the student's completion badge (``badge_grade``: the grade
    the standing badge states; None when there is none)."""
    if not badges_on:
        return Action.KEEP if badge_grade is not None else Action.NOTHING
    if badge_grade is None:
        return Action.ISSUE if earns else Action.NOTHING
    if not earns:
        return Action.REVOKE
    return Action.KEEP if badge_grade == grade else Action.REISSUE


def badges_on(session: Session, placement_id: int) -> bool:
    return credit.badges_on_completion(session, placement_id=placement_id)


def after_release(session: Session, release: GradeRelease, person: Person, *,
                  base_url: str) -> Action:
    """Bring one student's completion badge in line with this release (flushes)."""
    placement = session.get(Placement, release.placement_id)
    assert placement is not None
    institution_id = institution_of(session, placement)
    on = badges_on(session, placement.id) and institution_id is not None
    minimum = policy_for(session, institution_id=institution_id).minimum_grade_percent
    grade = rules.grade_percent(release.score_given, release.score_maximum)
    standing = service.active_for(session, placement_id=placement.id, person_id=person.id)
    if standing is not None and standing.source_release_id is None:
        return Action.KEEP  # a credential from approved credit: credit decides about it
    if standing is not None and standing.source_release_id == release.id:
        return Action.KEEP  # this release was heard before
    badge_grade = None
    if standing is not None:
        earlier = session.get(GradeRelease, standing.source_release_id)
        badge_grade = rules.grade_percent(earlier.score_given, earlier.score_maximum) \
            if earlier is not None else Decimal(-1)
    earns = completed(Completion(on, grade, minimum, credit.on_roster(
        session, placement_id=placement.id, person=person)))
    decided = action(badges_on=on, earns=earns, badge_grade=badge_grade, grade=grade)
    if decided in {Action.REVOKE, Action.REISSUE} and standing is not None:
        service.revoke(session, standing, by="Microbridge (grade released anew)", reason=(
            f"A new grade was released: {rules.number(grade)}% replaces "
            f"{rules.number(badge_grade or Decimal(0))}%."))
    if decided in {Action.ISSUE, Action.REISSUE}:
        assert institution_id is not None
        verification = credit.latest_verification(session, placement_id=placement.id,
                                                  person_id=person.id)
        service.issue(session, service.Award(
            placement_id=placement.id, person_id=person.id, institution_id=institution_id,
            credits=Decimal(0), grade_percent=grade, awarded_at=release.released_at,
            verified_hours=verification.verified_hours if verification else None,
            release_id=release.id, completion_minimum=minimum), base_url=base_url)
    return decided


def catch_up(session: Session, *, placement: Placement, base_url: str) -> int:
    """Badges for students who completed the work before the switch was turned on; returns
    how many were issued."""
    if not badges_on(session, placement.id):
        return 0
    issued = 0
    latest = latest_per_owner(session, placement_id=placement.id)
    releases = latest_releases(session, submission_ids=[s.id for s in latest])
    for submission in latest:
        release = releases.get(submission.id)
        for person_id in member_ids(session, submission) if release is not None else ():
            person = session.get(Person, person_id)
            if person is not None and release is not None:
                issued += after_release(session, release, person,
                                        base_url=base_url) is Action.ISSUE
    return issued
