"""learner_states: each learner's furthest stage, from the roster and the work tables."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from catalog.institutions.service import get_or_create
from grading.consent.models import Consent, Participation
from grading.dashboards import learner_states
from grading.passback.models import ScoreOutbox, stream_key
from grading.people.models import Course, Person
from grading.placements import roster
from grading.placements import service as placements
from grading.placements.models import Placement
from grading.placements.service import PlacementSettings
from grading.ports import Member
from grading.reviews.models import GradeRelease, Review
from grading.submissions.models import Submission
from grading.teams.models import Team, TeamMember
from lti_tool.registry import service as registry
from tests.placements.helpers import listed_project

LEARNER = ("Learner",)  # the Roster port gives course roles by short name
WHEN = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class FakeRoster:
    def __init__(self, members: list[Member]) -> None:
        self._members = members

    def members(self, *, platform_id: int, memberships_url: str, resource_link_id: str | None = None):  # type: ignore[no-untyped-def]
        yield from self._members


def _placement(db: Session) -> tuple[Placement, dict[str, Person]]:
    inst = get_or_create(db, name="State University")
    platform = registry.add_platform(
        db, issuer="https://lms.example", client_id="c1", auth_login_url="https://lms.example/a",
        token_url="https://lms.example/t", jwks_url="https://lms.example/j", flavour="moodle",
        deployment_ids=["1"], institution_id=inst.id,
    )
    course = Course(platform_id=platform.id, deployment_id="1", context_id="ctx",
                    memberships_url="https://lms.example/nrps")
    db.add(course)
    db.flush()
    revision = listed_project(db, inst.id)
    placement = placements.create(
        db, course_id=course.id, project_revision_id=revision.id,
        settings=PlacementSettings(title="Churn", score_maximum=20), created_by_person_id=None,
        resource_link_id="rl-1",
    )
    placement.line_item_url = "https://lms.example/li/1"
    people = {}
    for sub in ("started", "consented", "teamed", "submitted", "reviewing", "reviewed",
                "released", "synced", "refused", "fresh", "gone"):
        people[sub] = Person(platform_id=platform.id, sub=sub, name=sub.title())
        db.add(people[sub])
    db.flush()
    members = [Member(user_id=sub, roles=LEARNER, name=sub.title(),
                      status="Inactive" if sub == "gone" else "Active") for sub in people]
    members.append(Member(user_id="teacher", roles=("Instructor",), name="Teacher"))
    roster.sync(db, placement=placement, roster=FakeRoster(members))
    return placement, people


def _submission(
    db: Session, placement: Placement, person: Person, *, late: int = 0, attempt: int = 1
) -> Submission:
    sub = Submission(placement_id=placement.id, owner_key=f"person:{person.id}", person_id=person.id,
                     member_ids=[person.id], attempt=attempt, submitted_by_id=person.id,
                     submitted_at=WHEN, late_seconds=late, form_token=f"t{person.id}-{attempt}")
    db.add(sub)
    db.flush()
    return sub


def _review(db: Session, placement: Placement, sub: Submission, state: str) -> Review:
    review = Review(submission_id=sub.id, placement_id=placement.id, employer_id=1, reviewer_id=1,
                    reviewer_label="rev@employer.example", state=state, points=12, points_possible=15)
    db.add(review)
    db.flush()
    return review


def _release(db: Session, placement: Placement, sub: Submission) -> GradeRelease:
    release = GradeRelease(submission_id=sub.id, placement_id=placement.id, source="employer",
                           score_given=16.0, score_maximum=20.0)
    db.add(release)
    db.flush()
    return release


def _outbox(db: Session, placement: Placement, person: Person, release: GradeRelease, state: str) -> None:
    db.add(ScoreOutbox(
        placement_id=placement.id, person_id=person.id, platform_id=person.platform_id,
        kind="grade", release_id=release.id, line_item_url=placement.line_item_url,
        user_sub=person.sub, stream_key=stream_key(placement.line_item_url, person.sub),
        score_given=16.0,
        score_maximum=20.0, timestamp=WHEN, idempotency_key=f"release:{release.id}:{person.id}",
        state=state,
        last_error="422 User not found in course or is not a student" if state == "failed" else "",
    ))


def test_each_learner_gets_their_furthest_stage(db: Session) -> None:
    placement, p = _placement(db)
    for name in ("started", "consented", "teamed", "submitted", "reviewing", "reviewed",
                 "released", "synced", "refused"):
        db.add(Participation(placement_id=placement.id, person_id=p[name].id, pseudonym=f"S-{name}"))
    db.add(Consent(placement_id=placement.id, person_id=p["consented"].id, employer_id=1,
                   employer_name="Harbor", records=["name"], purpose="p", statement="s",
                   signature="Consented", signed_on=date(2026, 3, 1)))
    team = Team(placement_id=placement.id, name="Team Blue")
    db.add(team)
    db.flush()
    db.add(TeamMember(team_id=team.id, placement_id=placement.id, person_id=p["teamed"].id))
    _submission(db, placement, p["submitted"], late=7200, attempt=1)
    _submission(db, placement, p["submitted"], late=3 * 86400, attempt=2)
    _review(db, placement, _submission(db, placement, p["reviewing"]), "draft")
    _review(db, placement, _submission(db, placement, p["reviewed"]), "final")
    for name, state in (("released", "pending"), ("synced", "sent"), ("refused", "failed")):
        sub = _submission(db, placement, p[name])
        _review(db, placement, sub, "final")
        release = _release(db, placement, sub)
        _outbox(db, placement, p[name], release, state)
    db.flush()

    states = {s.user_sub: s for s in learner_states.learner_states(db, placement)}

    assert "teacher" not in states
    expected = {
        "fresh": learner_states.Stage.NOT_STARTED, "started": learner_states.Stage.STARTED,
        "consented": learner_states.Stage.CONSENTED, "teamed": learner_states.Stage.IN_TEAM,
        "submitted": learner_states.Stage.SUBMITTED, "reviewing": learner_states.Stage.UNDER_REVIEW,
        "reviewed": learner_states.Stage.REVIEWED, "released": learner_states.Stage.APPROVED,
        "synced": learner_states.Stage.GRADE_SYNCED, "refused": learner_states.Stage.GRADE_FAILED,
        "gone": learner_states.Stage.NOT_STARTED,
    }
    assert {sub: s.stage for sub, s in states.items()} == expected
    assert states["teamed"].team == "Team Blue"
    assert states["submitted"].attempt == 2 and states["submitted"].late
    assert states["submitted"].late_by == "3 days"
    assert states["synced"].score == 16.0 and states["synced"].score_maximum == 20.0
    assert "not a student" in states["refused"].grade_note
    assert states["released"].grade_note == "Waiting to send"
    assert not states["gone"].active
    counts = learner_states.stage_counts(states.values())
    assert counts[learner_states.Stage.NOT_STARTED] == 1  # the inactive learner owes nothing


def test_people_who_took_part_but_are_not_in_the_roster_are_listed(db: Session) -> None:
    placement, p = _placement(db)
    newcomer = Person(platform_id=p["fresh"].platform_id, sub="late-enrolled", name="Late Enrolled")
    db.add(newcomer)
    db.flush()
    db.add(Participation(placement_id=placement.id, person_id=newcomer.id, pseudonym="S-late"))
    db.flush()

    states = {s.user_sub: s for s in learner_states.learner_states(db, placement)}

    assert states["late-enrolled"].stage == learner_states.Stage.STARTED
    assert not states["late-enrolled"].in_roster


def test_another_placements_work_does_not_count(db: Session) -> None:
    placement, p = _placement(db)
    other = placements.create(
        db, course_id=placement.course_id, project_revision_id=placement.project_revision_id,
        settings=PlacementSettings(title="Other"), created_by_person_id=None, resource_link_id="rl-2",
    )
    db.add(Participation(placement_id=other.id, person_id=p["fresh"].id, pseudonym="S-x"))
    db.flush()

    states = {s.user_sub: s for s in learner_states.learner_states(db, placement)}

    assert states["fresh"].stage == learner_states.Stage.NOT_STARTED
