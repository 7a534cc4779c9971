"""Every state-changing route refuses a forged request: without a token, with another
principal's token, and (on cookie routes) with a token derived from a launch session.

The routes come from the app's URL map, so a route added later is crawled too; a route in
no family below fails the test until someone says who authorises it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.routing import Rule

from catalog.credit_office import service as credit_office
from catalog.curation import service as curation
from catalog.institutions.service import get_or_create
from catalog.portal.service import LinkPolicy, issue_link
from tests.work.harness import LaunchedUser, School, other_employer

from .portal import fingerprint, operator_login, page_token, sign_in_by_link

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# Routes the LMS posts to across sites by design: each is bound by its own one-time value
# (OIDC state and nonce, a storage ticket, a registration link), never by a form token.
FROM_THE_LMS = {"/lti/login", "/lti/launch", "/lti/launch/confirm", "/lti/register"}
# A mail client posts the one-click unsubscribe (RFC 8058) with no session and no form token:
# the link's signature is its authority, and it turns off one kind of mail for one address.
FROM_A_MAIL_CLIENT = {"/mail/unsubscribe/<token>"}
LAUNCH_ROUTES = ("/lti/", "/work/", "/course/", "/passback/", "/reviews/")
COOKIE_ROUTES = ("/employer/", "/curator/", "/curation/", "/admin/", "/credit-office/",
                 "/credentials/")
REFUSED = {400, 403}


@dataclass
class Forger:
    """Who the victim is, and what an attacker can send along."""

    name: str
    client: FlaskClient
    query: dict[str, str]
    other_token: str  # a valid token of another principal


def unsafe_rules(app: Flask) -> list[Rule]:
    return sorted((r for r in app.url_map.iter_rules() if set(r.methods or ()) & UNSAFE),
                  key=lambda r: r.rule)


def concrete(rule: Rule, ids: dict[str, Any]) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: str(ids.get(m.group(1), 1)), rule.rule)


def family(rule: Rule) -> str:
    if rule.rule in FROM_THE_LMS or rule.rule in FROM_A_MAIL_CLIENT:
        return "lms"
    if rule.rule.startswith(COOKIE_ROUTES):
        return "cookie"
    if rule.rule.startswith(LAUNCH_ROUTES):
        return "launch"
    return "unknown"


def attacker_link(db: Session, kind: str, account_id: int, email: str) -> str:
    """An unused sign-in link to the attacker's own account (for login CSRF)."""
    made: list[str] = []
    issue_link(db, kind=kind, account_id=account_id, email=email,
               policy=LinkPolicy(minutes=15, per_hour=100), link_for=lambda t: made.append(t) or t,
               subject="link", intro="link")
    db.commit()
    return made[0]


def launched_token(user: LaunchedUser) -> str:
    return user.csrf()


@pytest.fixture
def world(app: Flask, db: Session, canvas_course: School) -> dict[str, Any]:
    course = canvas_course
    instructor, student = course.instructor(), course.student()
    institution = get_or_create(db, name="Demo University")
    curator_a = curation.create_account(db, institution_id=institution.id,
                                        email="cura-a@demo.example", name="Cura A")
    curator_b = curation.create_account(db, institution_id=institution.id,
                                        email="cura-b@demo.example", name="Cura B")
    db.commit()
    rival = other_employer(db)
    employer_a = sign_in_by_link(app, db, "employer", course.placed.employer.member.email)
    employer_b = sign_in_by_link(app, db, "employer", rival.member.email)
    cur_a = sign_in_by_link(app, db, "curator", curator_a.email)
    cur_b = sign_in_by_link(app, db, "curator", curator_b.email)
    operator_a, operator_b = operator_login(app), operator_login(app)
    lt_token = {"lt": student.token}
    forgers = {
        "launch": [
            Forger("instructor", instructor.client, {"lt": instructor.token}, student.csrf()),
            Forger("student", student.client, {"lt": student.token}, instructor.csrf()),
        ],
        "cookie": [
            Forger("employer", employer_a.client, {}, page_token(employer_b.client, "/employer/team")),
            Forger("curator", cur_a.client, {}, page_token(cur_b.client, "/curation/curators")),
            Forger("operator", operator_a, {}, page_token(operator_b, "/admin/platforms")),
        ],
    }
    ids = {
        "placement_id": course.placement_id, "project_id": course.placed.employer.revision.project_id,
        "employer_id": rival.org.id, "platform_id": course.installed.row_id,
        "revision_id": course.placed.employer.revision.id,
        "token": attacker_link(db, "employer", rival.member.id, rival.member.email),
    }
    curator_link = attacker_link(db, "curator", curator_b.id, curator_b.email)
    officer_b = credit_office.create_account(db, institution_id=institution.id,
                                             email="registrar-b@demo.example")
    db.commit()
    officer_link = attacker_link(db, credit_office.KIND, officer_b.id, officer_b.email)
    return {"forgers": forgers, "ids": ids, "curator_link": curator_link,
            "officer_link": officer_link,
            "lt": lt_token, "lt_csrf": student.csrf()}


def _refused(db: Session, client: FlaskClient, path: str, query: dict[str, str],
             form: dict[str, str]) -> list[str]:
    before = fingerprint(db)
    response = client.post(path, query_string=query, data=form)
    after = fingerprint(db)
    problems = []
    if response.status_code not in REFUSED:
        problems.append(f"answered {response.status_code}")
    changed = sorted(t for t in before if before[t] != after[t])
    if changed:
        problems.append(f"wrote to {changed}")
    return problems


def test_every_unsafe_route_refuses_forged_requests(app: Flask, db: Session,
                                                    world: dict[str, Any]) -> None:
    failures: list[str] = []
    rules = unsafe_rules(app)
    assert len(rules) > 30
    for rule in rules:
        kind = family(rule)
        if kind == "unknown":
            failures.append(f"{rule.rule}: in no family; say who authorises it")
            continue
        ids = dict(world["ids"])
        if rule.rule.startswith("/curator/"):
            ids["token"] = world["curator_link"]
        if rule.rule.startswith("/credit-office/"):
            ids["token"] = world["officer_link"]
        path = concrete(rule, ids)
        if kind == "lms":
            for problem in _refused(db, app.test_client(), path, {}, {}):
                failures.append(f"{path} (nothing sent): {problem}")
            continue
        for forger in world["forgers"][kind]:
            tries = {
                "no token": (forger.query, {}),
                "another principal's token": (forger.query, {"csrf_token": forger.other_token}),
            }
            if kind == "cookie":
                tries["a launch's token"] = (world["lt"], {"csrf_token": world["lt_csrf"],
                                                           **world["lt"]})
            for label, (query, form) in tries.items():
                for problem in _refused(db, forger.client, path, query, form):
                    failures.append(f"{path} as {forger.name}, {label}: {problem}")
    assert not failures, "\n".join(failures)
