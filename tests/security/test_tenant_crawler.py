"""The tenant crawler: every route with an id in its path (or a form field naming a record),
tried by the people of another tenant, with their own ids and the other tenant's mixed.

Two institutions, each with its own LMS, two courses, an employer, a curator and an LMS
administrator (tests/security/world.py). The victim is the first course of each tenant in
turn; the intruders are the actors of the other tenant and of the victim's second course. Each must get
403 or 404, the database must not change, and no response body may carry a name, email, LMS
user id or record URL of the victim. The routes come from the app's URL map, so a new route
is covered the day it is added: the first test fails until it is classified here.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session
from werkzeug.routing import Rule

from config.settings import Settings, load_settings
from lti_tool.app import create_app
from lti_tool.blueprints import all_blueprints
from tests.conftest import TEST_REDIS_URL, _wipe
from tests.security.world import Actor, Course, Tenant, World, fingerprint, two_tenants

# -- what the crawler knows about routes ---------------------------------------------------

COURSE_IDS = ("placement_id", "team_id", "milestone_id", "submission_id", "file_id", "outbox_id",
              "person_id", "activity_id", "option_id")
"""Ids of records that live in one course: another course of the same institution is a stranger."""
TENANT_IDS = ("revision_id", "project_id", "employer_id", "platform_id", "member_id",
              "invitation_id", "email_id")
"""Ids of records that belong to an institution or an employer."""

NOT_RECORD_IDS = {
    "filename": "static files: a path into the package's static folder, not a record",
    "token": "a magic-link secret, not a record id (tests/catalog/test_magic_links.py)",
    "issuer_id": "an institution as an Open Badges issuer: its Profile, keys and revocation list "
                 "are published to the world by design",
    "credential_uuid": "a credential's random public id; the student's routes check the owner "
                       "(tests/credentials/test_pages.py)",
    "thumbprint": "a public key's thumbprint",
    "slug": "a skill's public name",
}

STUDENT = ("student", "instructor")
TEACHER = ("instructor", "admin")
CURATOR = ("curator", "admin")
CREDIT_OFFICER = ("credit_officer", "admin")
EMPLOYER = ("employer",)
P = "/work/<int:placement_id>"
ROUTE_ROLES: dict[str, tuple[str, ...]] = {
    P: STUDENT,
    P + "/start": STUDENT,
    P + "/consent": STUDENT,
    P + "/consent/withdraw": STUDENT,
    P + "/sharing": STUDENT,
    P + "/team/join/<int:team_id>": STUDENT,
    P + "/team/new": STUDENT,
    P + "/team/leave": STUDENT,
    P + "/milestones/<int:milestone_id>/check-in": STUDENT,
    P + "/hours": STUDENT,
    P + "/reflection": STUDENT,
    P + "/submit": STUDENT,
    "/work/submissions/<int:submission_id>": STUDENT,
    "/work/submissions/<int:submission_id>/files/<int:file_id>": STUDENT,
    P + "/manage": TEACHER,
    "/work/choices/<int:activity_id>": STUDENT,
    "/work/choices/<int:activity_id>/withdraw": STUDENT,
    "/work/choices/<int:activity_id>/options/<int:option_id>": STUDENT,
    "/course/choices/<int:activity_id>": TEACHER,
    "/course/choices/<int:activity_id>/preview": TEACHER,
    "/course/choices/<int:activity_id>/adjust": TEACHER,
    "/course/choices/<int:activity_id>/publish": TEACHER,
    "/course/choices/<int:activity_id>/seats": TEACHER,
    "/work/choices/<int:activity_id>/options/<int:option_id>/apply": STUDENT,
    "/work/choices/<int:activity_id>/options/<int:option_id>/apply/withdraw": STUDENT,
    "/course/choices/<int:activity_id>/options/<int:option_id>/applications": TEACHER,
    "/employer/applications/<int:option_id>": EMPLOYER,
    P + "/manage/milestones": TEACHER,
    P + "/manage/milestones/<int:milestone_id>/delete": TEACHER,
    P + "/manage/teams/auto": TEACHER,
    P + "/manage/teams/move": TEACHER,
    P + "/manage/teams/new": TEACHER,
    "/course/placements/<int:placement_id>": TEACHER,
    "/course/placements/<int:placement_id>/learners.csv": TEACHER,
    "/course/placements/<int:placement_id>/roster": TEACHER,
    "/course/placements/<int:placement_id>/applications": TEACHER,
    "/course/placements/<int:placement_id>/credit": TEACHER,
    "/course/placements/<int:placement_id>/credit/settings": TEACHER,
    "/course/placements/<int:placement_id>/credit/students/<int:person_id>/hours": TEACHER,
    "/course/placements/<int:placement_id>/credit/students/<int:person_id>/decide": TEACHER,
    "/credit-office/placements/<int:placement_id>/students/<int:person_id>/decide": CREDIT_OFFICER,
    P + "/packet.pdf": ("student",),
    P + "/packet.json": ("student",),
    "/course/placements/<int:placement_id>/credit/students/<int:person_id>/packet.pdf": TEACHER,
    "/course/placements/<int:placement_id>/credit/students/<int:person_id>/packet.json": TEACHER,
    "/credit-office/placements/<int:placement_id>/students/<int:person_id>/packet.pdf": CREDIT_OFFICER,
    "/credit-office/placements/<int:placement_id>/students/<int:person_id>/packet.json": CREDIT_OFFICER,
    "/curation/placements/<int:placement_id>/students/<int:person_id>/packet.pdf": CURATOR,
    "/curation/placements/<int:placement_id>/students/<int:person_id>/packet.json": CURATOR,
    "/passback/placements/<int:placement_id>": TEACHER,
    "/passback/placements/<int:placement_id>/rows/<int:outbox_id>/retry": TEACHER,
    "/passback/placements/<int:placement_id>/resend-all": TEACHER,
    "/passback/placements/<int:placement_id>/send-waiting": TEACHER,
    "/reviews/placements/<int:placement_id>": TEACHER,
    "/reviews/placements/<int:placement_id>/submissions/<int:submission_id>/approve": TEACHER,
    "/reviews/placements/<int:placement_id>/submissions/<int:submission_id>/grade": TEACHER,
    "/lti/placements/<int:placement_id>/settings": TEACHER,
    "/lti/placements/<int:placement_id>/line-item": TEACHER,
    "/lti/deep-linking/projects/<int:revision_id>": TEACHER,
    "/catalog/projects/<int:revision_id>": ("student", "instructor", "curator"),
    "/curation/projects/<int:project_id>": CURATOR,
    "/curation/projects/<int:project_id>/decide": CURATOR,
    "/curation/employers/<int:employer_id>/verify": CURATOR,
    "/employer/projects/<int:project_id>": EMPLOYER,
    "/employer/projects/<int:project_id>/edit": EMPLOYER,
    "/employer/projects/<int:project_id>/submit": EMPLOYER,
    "/employer/projects/<int:project_id>/withdraw": EMPLOYER,
    "/employer/projects/<int:project_id>/archive": EMPLOYER,
    "/employer/projects/<int:project_id>/reopen": EMPLOYER,
    "/employer/reviews/<int:submission_id>": EMPLOYER,
    "/employer/reviews/<int:submission_id>/files/<int:file_id>": EMPLOYER,
    "/employer/reviews/<int:submission_id>/hours": EMPLOYER,
    "/employer/team/members/<int:member_id>/remove": EMPLOYER,
    "/employer/invitations/<int:invitation_id>/accept": EMPLOYER,
    "/admin/platforms/<int:platform_id>/deployments": ("admin",),
    "/admin/platforms/<int:platform_id>/active": ("admin",),
    "/admin/mail/<int:email_id>/retry": ("admin",),
}
"""Who uses each id route (by URL rule): the intruders are people of these roles elsewhere."""

FORM_IDS: dict[str, tuple[str, ...]] = {
    P + "/manage/teams/move": ("person_id", "team_id"),
    "/course/choices/<int:activity_id>/adjust": ("person_id", "option_id"),
    "/employer/reviews/<int:submission_id>/hours": ("person_id",),
}
"""Form fields naming a record, crawled like path ids."""

FORM_IDS_NOT_TENANT_SCOPED = {
    "/employer/projects/<int:project_id>/submit":
        "`institution`: an employer offers a project to any institution by design",
    "/curation/employers/<int:employer_id>/verify":
        "`project_id` only chooses the page to go back to",
    "/lti/deep-linking/respond":
        "`revision`: needs a deep-linking launch; service.chosen checks each id against the "
        "launch's institution catalog (tests/lti/test_deep_linking_refusals.py)",
    "/lti/deep-linking/configure": "`revision` (query): as /lti/deep-linking/respond",
    "/lti/link/configure": "`revision` (query): as /lti/deep-linking/respond",
    "/lti/link/attach": "`revision`: as /lti/deep-linking/respond",
}

FORMS: dict[str, dict[str, Any]] = {
    P + "/consent": {"records": ["email", "work"], "signature": "Someone Else"},
    P + "/sharing": {"share": "yes"},
    P + "/milestones/<int:milestone_id>/check-in": {"text": "Done, as planned."},
    P + "/hours": {"day": date.today().isoformat(), "hours": "2", "note": "reading"},
    P + "/submit": {"text": "Not mine to submit.", "links": "", "form_token": "intruder-form"},
    P + "/reflection": {"what_i_did": "Planted.", "skills_used": "Planted.",
                        "what_i_learned": "Planted."},
    "/course/placements/<int:placement_id>/credit/settings": {"credit_bearing": "yes", "credits": "3"},
    "/course/placements/<int:placement_id>/credit/students/<int:person_id>/hours":
        {"hours": "1", "note": "Planted hours."},
    "/course/placements/<int:placement_id>/credit/students/<int:person_id>/decide":
        {"decision": "decline", "note": "Planted reason."},
    "/credit-office/placements/<int:placement_id>/students/<int:person_id>/decide":
        {"decision": "return", "note": "Planted note."},
    "/employer/reviews/<int:submission_id>/hours": {"hours": "1", "note": "Planted hours."},
    P + "/manage/milestones": {"title": "Planted milestone", "due": ""},
    P + "/manage/teams/auto": {"mode": "balanced"},
    P + "/manage/teams/new": {"open": "yes"},
    "/work/choices/<int:activity_id>/withdraw": {"confirm": "yes"},
    "/work/choices/<int:activity_id>/options/<int:option_id>/apply":
        {"skills_used": "Planted skills.", "motivation": "Planted motivation.", "hours_per_week": "5"},
    "/course/choices/<int:activity_id>/options/<int:option_id>/applications":
        {"apply_by": "2099-01-01", "select_by": "2099-01-02"},
    "/course/placements/<int:placement_id>/applications":
        {"requires": "yes", "apply_by": "2099-01-01", "select_by": "2099-01-02"},
    "/reviews/placements/<int:placement_id>/submissions/<int:submission_id>/approve":
        {"score": "", "reason": ""},
    "/reviews/placements/<int:placement_id>/submissions/<int:submission_id>/grade":
        {"score": "1", "feedback": "Planted grade."},
    "/lti/placements/<int:placement_id>/settings": {"p0-title": "Renamed", "p0-points": "10"},
    "/curation/projects/<int:project_id>/decide": {"decision": "approved", "note": "Planted."},
    "/curation/employers/<int:employer_id>/verify": {"note": "Planted verification."},
    "/employer/projects/<int:project_id>/edit": {"title": "Planted title"},
    "/employer/reviews/<int:submission_id>": {"action": "save", "feedback": "Planted review."},
    "/admin/platforms/<int:platform_id>/deployments": {"deployment_id": "planted-deployment"},
    "/admin/platforms/<int:platform_id>/active": {"active": "0"},
}
"""What each POST sends besides the ids: enough to pass validation if the ids were accepted."""


def _probe_rules() -> list[Rule]:
    """The URL map without an app runtime (enough to parametrize at collection)."""
    probe = Flask("probe", static_folder=None)
    for blueprint in all_blueprints():
        probe.register_blueprint(blueprint)
    return sorted(probe.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))


def _id_rules() -> list[tuple[str, str]]:
    found = []
    for rule in _probe_rules():
        if not set(rule.arguments) - set(NOT_RECORD_IDS) and rule.rule not in FORM_IDS:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.rule, method))
    return found


ID_ROUTES = _id_rules()


def test_every_route_with_an_id_is_crawled() -> None:
    """A new route with an id fails here until it says who uses it (or why it is not a record)."""
    unknown = []
    for rule in _probe_rules():
        record_ids = set(rule.arguments) - set(NOT_RECORD_IDS)
        if not record_ids:
            continue
        if rule.rule not in ROUTE_ROLES:
            unknown.append(f"{rule.rule} ({rule.endpoint}): add it to ROUTE_ROLES")
        for name in record_ids - set(COURSE_IDS) - set(TENANT_IDS):
            unknown.append(f"{rule.rule}: the crawler cannot build `{name}`; teach values()")
    assert not unknown, "\n".join(unknown)
    for path in [*ROUTE_ROLES, *FORM_IDS, *FORM_IDS_NOT_TENANT_SCOPED, *FORMS]:
        assert any(r.rule == path for r in _probe_rules()), f"{path} is gone: update the crawler"


# -- the world, built once for the module --------------------------------------------------


@pytest.fixture(scope="module")
def world(instance_dir: Path, database_url: str) -> Iterator[World]:
    settings: Settings = load_settings(
        environ={}, instance_path=instance_dir, database_url=database_url, redis_url=TEST_REDIS_URL,
        secret_key="test-secret-key-not-for-production", base_url="http://127.0.0.1:5000",
        testing=True, egress_allow_private=True,  # the emulated LMSs listen on loopback
    ).with_overrides(tasks_eager=True, passback_backoff_seconds=1)
    app = create_app(settings)
    db: Session = app.extensions["microbridge"].session_factory()
    try:
        with two_tenants(app, db, settings) as built:
            yield built
    finally:
        db.close()
        _wipe(app)


def test_the_crawler_walks_the_apps_own_url_map(world: World) -> None:
    """Routes added outside the blueprints (on the app itself) are crawled too."""
    served = {(r.rule, r.endpoint) for r in world.app.url_map.iter_rules() if r.endpoint != "static"}
    assert served == {(r.rule, r.endpoint) for r in _probe_rules()}


def values(tenant: Tenant, course_index: int | None) -> dict[str, int]:
    """The ids a route can take, from one tenant (and one of its courses)."""
    course: Course = tenant.courses[course_index or 0]
    return {
        "placement_id": course.placement_id, "team_id": course.team.id,
        "milestone_id": course.milestone.id, "submission_id": course.submission.id,
        "file_id": course.file.id, "outbox_id": course.outbox.id, "person_id": course.waiting.id,
        "revision_id": tenant.employer.revision.id, "project_id": tenant.employer.revision.project_id,
        "employer_id": tenant.employer.org.id, "platform_id": tenant.platform_row_id,
        "member_id": tenant.employer.member.id, "invitation_id": tenant.invitation_id,
        "activity_id": course.activity_id, "option_id": course.option_id,
        "email_id": tenant.failed_email_id,
    }


@dataclass(frozen=True)
class Attack:
    actor: Actor
    path: str
    form: dict[str, Any]
    forbidden: tuple[str, ...]


def _rule(path: str) -> Rule:
    return next(r for r in _probe_rules() if r.rule == path)


def _build(rule: Rule, ids: dict[str, int]) -> tuple[str, dict[str, Any]]:
    path = rule.rule
    for name in rule.arguments:
        path = path.replace(f"<int:{name}>", str(ids[name]))
    form = dict(FORMS.get(rule.rule, {}))
    form.update({name: str(ids[name]) for name in FORM_IDS.get(rule.rule, ())})
    return path, form


def attacks(world: World, path: str, victim_key: str) -> list[Attack]:
    """Every intruder, with every mix of their own ids and the victim's (never all their own)."""
    rule = _rule(path)
    names = sorted(set(rule.arguments) | set(FORM_IDS.get(path, ())))
    victim_tenant = world.tenants[victim_key]
    victim = values(victim_tenant, 0)
    course_scoped = any(name in COURSE_IDS for name in names)
    found = []
    for actor in [a for t in world.tenants.values() for a in t.actors]:
        if actor.role not in ROUTE_ROLES[path]:
            continue
        stranger = actor.tenant != victim_key
        if not stranger and not (course_scoped and actor.course == 1):
            continue
        own = values(world.tenants[actor.tenant], actor.course)
        forbidden = victim_tenant.markers if stranger else victim_tenant.courses[0].markers
        for mix in itertools.product((False, True), repeat=len(names)):
            if not any(mix):
                continue
            pairs = list(zip(names, mix, strict=True))
            ids = {n: (victim[n] if from_victim else own[n]) for n, from_victim in pairs}
            if not stranger and not any(from_victim and n in COURSE_IDS for n, from_victim in pairs):
                continue  # a colleague in the same institution may use its catalog records
            url, form = _build(rule, ids)
            found.append(Attack(actor, url, form, tuple(forbidden)))
    return found


def victim_urls(world: World, victim_key: str) -> list[str]:
    """The victim's record URLs: none may appear in what an intruder is shown."""
    victim = values(world.tenants[victim_key], 0)
    out = []
    for rule in _probe_rules():
        if set(rule.arguments) and set(rule.arguments) <= set(victim):
            path, _ = _build(rule, victim)
            out.append(path)
    return out


@pytest.mark.parametrize(("path", "method"), ID_ROUTES)
def test_another_tenant_is_refused_and_sees_nothing(world: World, path: str, method: str) -> None:
    problems: list[str] = []
    before = fingerprint(world.db)
    for victim_key in world.tenants:
        found = attacks(world, path, victim_key)
        assert found, f"no intruder was tried on {path}"
        urls = victim_urls(world, victim_key)
        for attack in found:
            response = attack.actor.send(attack.path, method, attack.form)
            where = f"{attack.actor.label} {method} {attack.path} {sorted(attack.form.items())}"
            if response.status_code not in (403, 404):
                problems.append(f"{where} -> {response.status_code}")
            body = response.get_data()
            shown = [m for m in attack.forbidden if m.encode() in body]
            shown += [u for u in urls if f'{u}"'.encode() in body or f"{u}?".encode() in body]
            if shown:
                problems.append(f"{where} shows {shown}")
    after = fingerprint(world.db)
    changed = sorted(name for name in before if before[name] != after[name])
    if changed:
        problems.append(f"written by intruders: {changed}")
    assert not problems, "\n".join(problems)


NO_OWNER_IN_WORLD: dict[str, str] = {}


@pytest.mark.parametrize(("path", "method"),
                         [r for r in ID_ROUTES if r[1] == "GET" and r[0] not in NO_OWNER_IN_WORLD])
def test_the_owner_reaches_what_intruders_cannot(world: World, path: str, method: str) -> None:
    """The positive control: the same URLs built for the victim's own people work for them."""
    owner = next(a for a in world.tenants["a"].actors
                 if a.role in ROUTE_ROLES[path] and a.course in (0, None))
    url, _ = _build(_rule(path), values(world.tenants["a"], 0))
    response = owner.send(url, method)
    assert response.status_code < 400, (owner.label, url, response.status_code)


# -- pages without ids: nobody sees the other tenant ---------------------------------------

NOT_SWEPT = {
    "/outbox": "the demo's mail outbox (issue 12 M5: demo-only, shows every mail by design)",
    "/lti/login": "the OIDC login step, no content", "/lti/register": "registration, no content",
    "/healthz": "no content", "/.well-known/jwks.json": "public keys",
    "/credentials/verify": "public: checks what a visitor pastes",
    "/credentials/verify.json": "public: checks what a visitor sends",
}


INSTITUTION_WIDE = {
    "/credit-office/": "an LMS Administrator acts as the institution's credit officer: every "
                       "course's recommendations are theirs to decide (never another tenant's)",
    "/credit-office/export.csv": "the registrar's export of the whole institution",
    "/credit-office/credentials": "the credentials issued at the whole institution",
    "/curation/credentials": "the institution's students' credentials and packets",
}


@pytest.mark.parametrize("tenant_key", ["a", "b"])
def test_no_page_shows_another_tenant(world: World, tenant_key: str) -> None:
    """Every actor's own pages (all GET routes without an id, and their own records)."""
    other = world.other(tenant_key)
    problems = []
    tenant = world.tenants[tenant_key]
    for actor in tenant.actors:
        forbidden = list(other.markers)
        if actor.course is not None:
            forbidden += tenant.courses[1 - actor.course].markers
        own = values(tenant, actor.course)
        paths = []
        for rule in _probe_rules():
            if "GET" not in (rule.methods or set()) or rule.rule in NOT_SWEPT:
                continue
            if not rule.arguments:
                paths.append(rule.rule)
            elif rule.rule in ROUTE_ROLES and actor.role in ROUTE_ROLES[rule.rule] \
                    and set(rule.arguments) <= set(own):
                paths.append(_build(rule, own)[0])
        for path in paths:
            body = actor.send(path, "GET").get_data()
            allowed = tenant.courses[1 - actor.course].markers \
                if actor.role == "admin" and actor.course is not None and path in INSTITUTION_WIDE \
                else []
            shown = [m for m in forbidden if m.encode() in body and m not in allowed]
            if shown:
                problems.append(f"{actor.label} GET {path} shows {shown}")
    assert not problems, "\n".join(problems)
