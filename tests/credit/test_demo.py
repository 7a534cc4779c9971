"""The demo has a credit officer, a credit policy and one project placed for credit that the
demo course's students open like any other."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.credit_office.models import CreditOfficerAccount, CreditPolicy
from catalog.demo_data import seed_demo_catalog
from catalog.institutions.models import Institution
from catalog.projects.models import ProjectOffer
from config.database import utcnow
from config.settings import Settings
from grading.credit.models import PlacementCredit
from grading.placements.models import Placement
from lti_tool.demo import CREDIT_MARK, seed_credit_placement
from tests.support.live import live_tool
from tests.support.lms import LaunchDriver, install_tool, launch_token, running_platform
from tests.work.factories import make_project


def test_the_demo_catalog_has_a_credit_officer_and_a_policy(db: Session) -> None:
    institution = Institution(name="Demo University", slug="demo-university")
    db.add(institution)
    db.flush()
    summary = seed_demo_catalog(db, institution)
    db.commit()
    officer = db.scalars(select(CreditOfficerAccount)).one()
    assert officer.email == summary.credit_officer_email == "registrar@demo-university.example"
    policy = db.scalars(select(CreditPolicy)).one()
    assert (policy.hours_per_credit, policy.approver) == (45, "instructor_then_officer")


def test_the_demo_course_has_a_placement_for_credit(app: Flask, db: Session, settings: Settings) -> None:
    with running_platform("canvas") as lms, live_tool(settings) as live:
        installed = install_tool(db, lms, tool_base=live.base_url)
        employer = make_project(db)
        institution_id = db.scalar(select(Institution.id))
        assert institution_id is not None
        db.add(ProjectOffer(project_id=employer.revision.project_id, institution_id=institution_id,
                            listed_revision_id=employer.revision.id, listed_at=utcnow(),
                            last_decision="approved", decided_at=utcnow()))
        db.commit()
        for _ in range(2):  # seeding twice places it once
            seed_credit_placement(db, lms, installed.tool, installed.row_id, institution_id)
            db.commit()
        [link] = [x for x in lms.state.links.values() if x.custom == CREDIT_MARK]
        placement = db.scalars(select(Placement)).one()
        credit = db.scalars(select(PlacementCredit)).one()
        assert (placement.resource_link_id, credit.placement_id, credit.credit_bearing) == (
            link.id, placement.id, True)
        client = live.app.test_client()
        launched = LaunchDriver(client, lms).launch(installed.tool, installed.student,
                                                    installed.course, resource_link=link)
        assert launched.status_code == 200
        page = client.get(f"/work/{placement.id}", query_string={"lt": launch_token(launched)})
        assert page.status_code == 200 and "(for credit)" in page.get_data(as_text=True)
