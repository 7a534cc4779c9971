"""Course copy: last term's links arrive in a new course with the old placement's custom
parameters; the first instructor launch sets the placement up for the new course, and nothing
of the old course's people or work comes along."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from grading.people.models import Course
from grading.placements.models import Placement
from tests.placements.helpers import Setup, open_deep_linking, refresh_roster, send_to_lms
from tests.support.lms import landing_address


def _placed_and_opened(setup: Setup) -> str:
    answer = open_deep_linking(setup).respond(
        [setup.revision.id], **{"p0-title": "Churn study", "p0-points": "40",
                                "p0-due": "2026-05-01T17:00", "p0-team_size": "3",
                                "p0-release_mode": "automatic"},
    )
    send_to_lms(answer)
    link_id = setup.lms.deep_link_outcomes[-1].resource_link_ids[0]
    setup.driver.launch(setup.installed.tool, setup.installed.instructor, setup.installed.course,
                        resource_link=link_id)
    return link_id


def _new_term(setup: Setup) -> tuple[object, str]:
    lms, installed = setup.lms, setup.installed
    copy = lms.copy_course(installed.course, title="Market Research Practicum (Spring)")
    lms.enrol(copy, installed.instructor, "Instructor")
    newcomer = lms.add_user("Katherine", "Johnson", email="kj@example.edu")
    lms.enrol(copy, newcomer, "Learner")
    [copied_link] = [link for link in lms.state.links.values() if link.course_id == copy.id]
    return copy, copied_link.id


def test_the_instructors_first_launch_sets_up_the_copy(
    setup: Setup, db: Session, client: FlaskClient
) -> None:
    old_link = _placed_and_opened(setup)
    copy, new_link = _new_term(setup)

    response = setup.driver.launch(setup.installed.tool, setup.installed.instructor, copy,
                                   resource_link=new_link)

    old, new = db.scalars(select(Placement).order_by(Placement.id)).all()
    assert landing_address(response).startswith(f"/course/placements/{new.id}?lt=")
    new_course = db.scalar(select(Course).where(Course.context_id == copy.context_id))
    assert new_course is not None
    assert (new.course_id, new.resource_link_id, new.copied_from_id) == (new_course.id, new_link, old.id)
    assert new.key != old.key and old.resource_link_id == old_link
    same = ("project_revision_id", "title", "score_maximum", "team_size", "release_mode")
    assert all(getattr(new, name) == getattr(old, name) for name in same)
    [new_item] = setup.lms.line_items(copy)
    assert new.line_item_url == setup.lms.line_item_url(new_item) != old.line_item_url
    page = client.get(landing_address(response)).get_data(as_text=True)
    assert "course copy" in page


def test_learners_of_a_copy_wait_for_their_instructor(setup: Setup, db: Session) -> None:
    _placed_and_opened(setup)
    copy, new_link = _new_term(setup)
    newcomer = next(u for u in setup.lms.state.users.values() if u.given_name == "Katherine")

    refused = setup.driver.launch(setup.installed.tool, newcomer, copy, resource_link=new_link)

    text = refused.get_data(as_text=True)
    assert refused.status_code == 409, text[:500]
    assert "Ask your instructor to open this activity" in text
    assert len(db.scalars(select(Placement)).all()) == 1

    setup.driver.launch(setup.installed.tool, setup.installed.instructor, copy, resource_link=new_link)
    again = setup.driver.launch(setup.installed.tool, newcomer, copy, resource_link=new_link)
    copied = db.scalars(select(Placement).order_by(Placement.id.desc())).first()
    assert copied is not None and len(db.scalars(select(Placement)).all()) == 2
    assert again.status_code == 200
    assert landing_address(again).startswith(f"/work/{copied.id}?lt=")


def test_the_copy_never_shows_the_old_courses_students(
    setup: Setup, db: Session, client: FlaskClient
) -> None:
    old_link = _placed_and_opened(setup)
    # Last term's student opened the project: they are known to the old placement.
    setup.driver.launch(setup.installed.tool, setup.installed.student, setup.installed.course,
                        resource_link=old_link)
    old = db.scalar(select(Placement))
    assert old is not None
    instructor = setup.driver.launch(setup.installed.tool, setup.installed.instructor,
                                     setup.installed.course, resource_link=old_link)
    refresh_roster(client, landing_address(instructor))
    copy, new_link = _new_term(setup)

    response = setup.driver.launch(setup.installed.tool, setup.installed.instructor, copy,
                                   resource_link=new_link)
    location = landing_address(response)
    before = client.get(location).get_data(as_text=True)
    refresh_roster(client, location)
    after = client.get(location).get_data(as_text=True)

    assert "Ada Lovelace" not in before and "Ada Lovelace" not in after
    assert "Katherine Johnson" in after
    # And the old placement stays out of reach from the new course's launch.
    token = location.split("lt=")[1]
    assert client.get(f"/course/placements/{old.id}?lt={token}").status_code == 404


# Canvas only: Moodle offers no $ResourceLink.id.history, and its copies keep the custom key.
@pytest.mark.parametrize("lms", ["canvas"], indirect=True)
def test_a_copied_link_without_our_key_is_recognised_by_its_history(
    setup: Setup, db: Session
) -> None:
    assert setup.lms.is_canvas
    _placed_and_opened(setup)
    copy, new_link = _new_term(setup)
    link = setup.lms.get_link(new_link)
    link.custom = {k: v for k, v in link.custom.items() if k != "microbridge_placement"}

    setup.driver.launch(setup.installed.tool, setup.installed.instructor, copy, resource_link=new_link)

    old, new = db.scalars(select(Placement).order_by(Placement.id)).all()
    assert new.copied_from_id == old.id and new.resource_link_id == new_link
