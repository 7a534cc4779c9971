"""The LMS's "Add activity" dialog can place several projects as one choice: one link, one
gradebook column, and the options grade into that column."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.settings import Settings
from grading.choices.models import ChoiceSet
from grading.placements.models import Placement
from tests.placements.helpers import listed_project, live_setup, open_deep_linking, send_to_lms
from tests.support.lms import running_platform


def test_the_dialog_places_a_choice_as_one_graded_activity(db: Session, settings: Settings) -> None:
    with running_platform("moodle") as lms, live_setup(db, lms, settings) as setup:
        other = listed_project(db, setup.institution_id, title="Volunteer funnel review", org="Food Bank")
        db.commit()
        alone = open_deep_linking(setup).respond([setup.revision.id], **{"as": "choice"})
        assert alone.status_code == 422 and "at least 2 projects" in alone.get_data(as_text=True)
        assert db.scalar(select(func.count()).select_from(Placement)) == 0  # nothing half-saved

        answer = open_deep_linking(setup).respond([setup.revision.id, other.id],
                                                  **{"as": "choice", "choice_title": "Pick one"})
        _, _, reply = send_to_lms(answer)
        assert reply.status_code == 200
        outcome = setup.lms.deep_link_outcomes[-1]
        assert len(outcome.resource_link_ids) == 1 and len(outcome.line_item_ids) == 1
        db.expire_all()
        choice_set = db.scalar(select(ChoiceSet))
        assert choice_set is not None and len(choice_set.options) == 2
        assert choice_set.placement.title == "Pick one"

        # The first launch ties the link and its column; the options grade into that column.
        launched = setup.driver.launch(setup.installed.tool, setup.installed.instructor,
                                       setup.installed.course, resource_link=outcome.resource_link_ids[0])
        assert launched.status_code == 303  # its landing page sends the instructor on to the choice
        db.expire_all()
        anchor = db.get(Placement, choice_set.placement_id)
        assert anchor is not None and anchor.line_item_url
        assert all(o.placement.line_item_url == anchor.line_item_url for o in choice_set.options)
        learner = setup.driver.launch(setup.installed.tool, setup.installed.student, setup.installed.course,
                                      resource_link=outcome.resource_link_ids[0])
        # The learner's landing page sends them on to the choice (what its GET answers).
        assert learner.status_code == 303 and "/work/choices/" in learner.headers["Location"]
