"""NRPS: the roster of a placement, page by page with an explicit limit, following
Link rel="next" exactly as sent (Canvas cursors are case-sensitive) through short pages, with
the access token cached and shared."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grading.placements.models import Placement, RosterMember
from lti_tool.services.nrps import NrpsRoster
from tests.placements.helpers import Setup, open_deep_linking, query, refresh_roster, send_to_lms
from tests.support.lms import landing_address


def _placed(setup: Setup) -> str:
    send_to_lms(open_deep_linking(setup).respond([setup.revision.id]))
    link_id = setup.lms.deep_link_outcomes[-1].resource_link_ids[0]
    launch = setup.driver.launch(setup.installed.tool, setup.installed.instructor,
                                 setup.installed.course, resource_link=link_id)
    return str(landing_address(launch))


def test_2500_members_through_short_pages(setup: Setup, client: FlaskClient, db: Session) -> None:
    lms = setup.lms
    lms.add_members(setup.installed.course, 2500)
    lms.nrps_short_pages = True  # pages hold fewer than asked, and a next link follows
    location = _placed(setup)
    client.get(location)  # the first visit loads the roster in the background; then a refresh
    before = lms.stats.service_requests

    result = refresh_roster(client, location)

    assert "roster=ok" in result.headers["Location"]
    pages = lms.stats.service_requests - before
    placement = db.scalar(select(Placement))
    assert placement is not None
    counted = db.scalar(select(func.count()).select_from(RosterMember)
                        .where(RosterMember.placement_id == placement.id))
    learners = db.scalar(select(func.count()).select_from(RosterMember)
                         .where(RosterMember.placement_id == placement.id, RosterMember.is_learner))
    assert counted == 2502 and learners == 2501  # 2,500 + Ada, and the instructor
    # Canvas caps a page at 50 and halves it: 25 a page; Moodle takes limit=100, halved: 50.
    assert pages == (101 if lms.is_canvas else 51)
    subs = db.scalars(select(RosterMember.user_sub).where(RosterMember.placement_id == placement.id)).all()
    assert len(set(subs)) == 2502
    page = client.get(location).get_data(as_text=True)
    assert "Not started: 2501" in page


def test_the_access_token_is_cached_and_shared(setup: Setup, client: FlaskClient) -> None:
    issued = setup.lms.stats.tokens_issued
    location = _placed(setup)  # the instructor's first launch queues the roster's first load
    refresh_roster(client, location)
    refresh_roster(client, location)
    rt = setup.live.app.extensions["microbridge"]
    members = list(NrpsRoster(rt.session_factory, rt.store).members(
        platform_id=setup.installed.row_id,
        memberships_url=setup.lms.memberships_url(setup.installed.course, setup.installed.tool),
    ))

    assert len(members) == 2
    assert setup.lms.stats.tokens_issued == issued + 1  # one token for every sync, in every process


def test_an_lms_that_does_not_answer_keeps_the_cached_roster(
    setup: Setup, client: FlaskClient, db: Session
) -> None:
    location = _placed(setup)
    refresh_roster(client, location)
    setup.lms.faults.add("GET", "names_and_roles" if setup.lms.is_canvas else "memberships", 503,
                         body="down for maintenance", times=None)

    failed = refresh_roster(client, location)

    assert query(failed.headers["Location"])["roster"] == "failed"
    page = client.get(location).get_data(as_text=True)
    assert "did not give the roster" in page and "Ada Lovelace" in page
    placement = db.scalar(select(Placement))
    assert placement is not None
    db.refresh(placement)
    assert "503" in placement.roster_error


def test_a_course_without_nrps_says_so(setup: Setup, client: FlaskClient, db: Session) -> None:
    location = _placed(setup)
    placement = db.scalar(select(Placement))
    assert placement is not None
    placement.course.memberships_url = ""
    db.commit()

    failed = refresh_roster(client, location)

    assert query(failed.headers["Location"])["roster"] == "failed"
    assert "does not share the course roster" in client.get(location).get_data(as_text=True)


def test_a_link_roster_without_learners_falls_back_to_the_course(db: Session) -> None:
    from grading.placements import roster as roster_service
    from grading.ports import Member
    from tests.placements.test_learner_states import FakeRoster, _placement

    class LinkBlind(FakeRoster):
        def members(self, *, platform_id, memberships_url, resource_link_id=None):  # type: ignore[no-untyped-def]
            if resource_link_id:
                yield Member(user_id="teacher", roles=("Instructor",))
                return
            yield from super().members(platform_id=platform_id, memberships_url=memberships_url)

    placement, _ = _placement(db)
    result = roster_service.sync(db, placement=placement, roster=LinkBlind(
        [Member(user_id="s1", roles=("Learner",)), Member(user_id="teacher", roles=("Instructor",))]
    ))

    assert (result.members, result.learners) == (2, 1)
