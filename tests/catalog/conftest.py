"""Catalog fixtures: institutions, employers, valid project content, portal sign-in, launches."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask, g
from flask import session as flask_session
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from catalog.actors import Actor, ActorKind
from catalog.curation import service as curation
from catalog.curation.models import CuratorAccount, Decision
from catalog.employers import service as employers
from catalog.employers.models import EmployerMember
from catalog.institutions.models import Institution
from catalog.institutions.service import get_or_create
from catalog.projects import service as projects
from catalog.projects.content import CriterionInput, LevelInput, ProjectContent
from catalog.projects.guardrails import DEFAULT_POLICY
from catalog.projects.models import Project
from catalog.skills.service import normalise_all
from config import cookie_session
from config.web import LaunchIdentity, Principal, csrf_token, set_launch

CSRF = "test-csrf-token"


@pytest.fixture
def institution(db: Session) -> Institution:
    inst = get_or_create(db, name="Northfield University")
    db.commit()
    return inst


@pytest.fixture
def other_institution(db: Session) -> Institution:
    inst = get_or_create(db, name="Southbank College")
    db.commit()
    return inst


def make_member(db: Session, org_name: str, email: str) -> EmployerMember:
    org = employers.create_org(db, name=org_name, website="https://" + email.split("@")[1])
    member = employers.add_member(db, employer=org, email=email, name=org_name + " lead")
    db.commit()
    return member


@pytest.fixture
def member(db: Session) -> EmployerMember:
    return make_member(db, "Harbor Analytics", "ana@harbor.example")


@pytest.fixture
def other_member(db: Session) -> EmployerMember:
    return make_member(db, "Rival Works", "rex@rival.example")


def actor(member: EmployerMember) -> Actor:
    return employers.actor_for(member)


def curator_actor(institution: Institution, label: str = "cura@northfield.example") -> Actor:
    return Actor(kind=ActorKind.CURATOR, label=label, id=None, institution_id=institution.id)


RUBRIC = (
    CriterionInput(title="Insight", levels=(
        LevelInput("Excellent", 10), LevelInput("Good", 6), LevelInput("Missing", 0))),
    CriterionInput(title="Communication", levels=(
        LevelInput("Clear", 5), LevelInput("Unclear", 1))),
)


def make_content(**changes: Any) -> ProjectContent:
    """A valid paid project; pass fields to change (skills as a list of strings)."""
    skills = changes.pop("skills", ["SQL", "Python"])
    base = ProjectContent(
        title="Churn dashboard for a subscription box",
        summary="Find why subscribers leave and show it on one dashboard.",
        brief_md="We sell **monthly boxes**. Tell us why people cancel.",
        deliverables=("A dashboard", "A two-page memo"),
        skills=tuple(normalise_all(skills)),
        discipline="data", estimated_hours=30, work_mode="remote",
        compensation_type="paid", pay_amount=Decimal("900.00"), pay_currency="USD",
        team_size=1, capacity=3, window_start=date(2026, 1, 10), window_end=date(2026, 4, 30),
        rubric=RUBRIC,
    )
    return dataclasses.replace(base, **changes)


def form_data(**changes: str) -> dict[str, str]:
    """The project form as a browser would send it (a valid paid project)."""
    data = {
        "title": "Volunteer funnel review", "summary": "Where do volunteer sign-ups drop off?",
        "brief_md": "## Context\nWe are a food bank.", "deliverables": "Funnel chart\nMemo",
        "skills": "sql, Excel, data viz", "discipline": "data", "estimated_hours": "20",
        "work_mode": "remote", "location": "", "compensation_type": "paid",
        "pay_amount": "600", "pay_currency": "USD", "team_size": "2", "capacity": "4",
        "window_start": "2026-02-01", "window_end": "2026-05-01",
        "c0_title": "Analysis", "c0_l0_label": "Strong", "c0_l0_points": "10",
        "c0_l1_label": "Weak", "c0_l1_points": "2",
    }
    data.update(changes)
    return data


def new_project(db: Session, member: EmployerMember, **changes: Any) -> Project:
    project = projects.create(db, actor=actor(member), content=make_content(**changes))
    db.commit()
    return project


def publish(db: Session, project: Project, member: EmployerMember, *institutions: Institution
            ) -> Project:
    """Submit to these institutions and approve in each."""
    projects.submit(db, actor=actor(member), project_id=project.id,
                    institution_ids=[i.id for i in institutions], policy=DEFAULT_POLICY)
    for inst in institutions:
        curation.decide(db, actor=curator_actor(inst), project_id=project.id,
                        decision=Decision.APPROVED, note="", policy=DEFAULT_POLICY,
                        project_link=lambda pid: f"http://t/{pid}")
    db.commit()
    return projects.get(db, project.id)


@pytest.fixture
def curator_account(db: Session, institution: Institution) -> CuratorAccount:
    account = curation.create_account(db, institution_id=institution.id,
                                      email="cura@northfield.example", name="Cura")
    db.commit()
    return account


def sign_in_as(client: FlaskClient, kind: str, account_id: int) -> None:
    """Sign in without the emailed link (that flow has tests of its own)."""
    with client.application.test_request_context("/"):
        cookie_session.sign_in(kind, account_id)
        data = dict(flask_session)
    with client.session_transaction() as sess:
        sess.clear()
        sess.update(data)


def cookie_csrf(client: FlaskClient) -> str:
    """The CSRF token the portal's pages give this browser's cookie session."""
    with client.session_transaction() as sess:
        sess.setdefault("_csrf", CSRF)
        data = dict(sess)
    with client.application.test_request_context("/"):
        flask_session.update(data)
        g._principal = Principal.COOKIE
        return csrf_token()


def post(client: FlaskClient, path: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    """POST a form with the cookie session's CSRF token."""
    return client.post(path, data={**(data or {}), "csrf_token": cookie_csrf(client)}, **kw)


@pytest.fixture
def launch(app: Flask) -> Iterator[Callable[..., LaunchIdentity]]:
    """Pretend an LTI launch happened: ``launch(institution_id=..., roles={...})``."""
    current: dict[str, LaunchIdentity | None] = {"identity": None}

    def as_launch() -> None:
        if current["identity"] is not None:
            set_launch(current["identity"], "")

    app.before_request(as_launch)

    def set_identity(*, institution_id: int | None, roles: set[str] | None = None,
                     person_id: int = 7) -> LaunchIdentity:
        identity = LaunchIdentity(
            session_id=f"s-{person_id}", person_id=person_id, platform_id=1,
            deployment_id="d1", course_id=None, institution_id=institution_id,
            roles=frozenset(roles or {"Learner"}),
        )
        current["identity"] = identity
        return identity

    yield set_identity
