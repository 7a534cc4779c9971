"""Two tenants side by side, built through real launches: for tests that one tenant's people
never reach, change or see the other's.

Each tenant is an institution with its own LMS (Canvas for one, Moodle for the other), two
courses with a team placement each, an employer whose project is listed in the institution's
catalog and placed in both courses, a curator, and an LMS administrator. Every person, course,
organisation and piece of work carries a name that appears nowhere else, so a response body can
be searched for the other tenant's bytes.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import unescape
from typing import Any

from flask import Flask
from flask import session as flask_session
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from catalog.credit_office import service as credit_office
from catalog.credit_office.models import CreditPolicy
from catalog.curation import service as curation
from catalog.employers.models import EmployerInvitation
from catalog.institutions.models import Institution
from catalog.projects.models import ProjectOffer
from config import cookie_session
from config.database import utcnow
from config.mail import EmailStatus, OutgoingEmail
from config.settings import Settings
from grading.applications import service as applications
from grading.choices import service as choices
from grading.milestones.models import Milestone
from grading.passback.models import ScoreOutbox
from grading.people.models import Person
from grading.placements.service import PlacementSettings
from grading.submissions.models import Submission, SubmissionFile
from grading.teams.models import Team
from lti_tool.models_index import metadata
from tests.reviews.flow import review
from tests.support.live import LiveTool, live_tool
from tests.support.lms import install_tool, running_platform
from tests.work.factories import Employer, make_project, person_row, place
from tests.work.harness import LaunchedUser, Reviewer, School

PDF = b"%PDF-1.4\n%%EOF\n"


class CookieUser:
    """A top-level portal browser (curator) with its session cookie and CSRF token."""

    def __init__(self, client: FlaskClient, csrf: str) -> None:
        self.client = client
        self.csrf = csrf

    def open(self, path: str, method: str, data: dict[str, Any] | None = None,
             headers: dict[str, str] | None = None) -> TestResponse:
        form = {"csrf_token": self.csrf, **(data or {})} if method == "POST" else None
        return self.client.open(path, method=method, data=form, headers=headers)


def launched_open(user: LaunchedUser, path: str, method: str, data: dict[str, Any] | None = None,
                  headers: dict[str, str] | None = None) -> TestResponse:
    """A request inside the LMS iframe: the launch token, and the session's CSRF token."""
    form = {"csrf_token": user.csrf(), **(data or {})} if method == "POST" else None
    return user.client.open(path, method=method, query_string={"lt": user.token}, data=form,
                            headers=headers)


def reviewer_open(user: Reviewer, path: str, method: str, data: dict[str, Any] | None = None,
                  headers: dict[str, str] | None = None) -> TestResponse:
    if method != "POST":
        return user.client.open(path, method=method, headers=headers)
    if not user._csrf:
        user._csrf = _csrf_of(user.client.get("/employer/reviews/").get_data(as_text=True))
    return user.client.open(path, method=method, data={"csrf_token": user._csrf, **(data or {})},
                            headers=headers)


@dataclass
class Actor:
    """Someone who acts in one tenant: how to send them a request, and what is theirs."""

    role: str  # student, instructor, admin, employer, curator, credit_officer
    tenant: str
    course: int | None  # index of their course in the tenant, when they act in one
    send: Any  # (path, method, data, headers) -> TestResponse

    @property
    def label(self) -> str:
        where = f"{self.tenant}{self.course + 1}" if self.course is not None else self.tenant
        return f"{self.role}@{where}"


@dataclass
class Course:
    school: School
    instructor: LaunchedUser
    student: LaunchedUser
    waiting: Person  # a learner who started and is in no team
    waiting_launch: LaunchedUser
    team: Team
    milestone: Milestone
    submission: Submission
    file: SubmissionFile
    outbox: ScoreOutbox
    markers: list[str]
    activity_id: int = 0
    """A choice of projects placed in the course (grading/choices)."""
    option_id: int = 0

    @property
    def placement_id(self) -> int:
        return self.school.placement_id


@dataclass
class Tenant:
    key: str
    institution: Institution
    platform_row_id: int
    employer: Employer
    courses: list[Course]
    actors: list[Actor]
    markers: list[str]
    people: list[Person] = field(default_factory=list)
    invitation_id: int = 0
    """An open invitation to the employer's organisation (for another address)."""
    failed_email_id: int = 0
    """A notice about the institution that could not be delivered (the admin's mail page)."""


@dataclass
class World:
    app: Flask
    db: Session
    tenants: dict[str, Tenant]

    def other(self, key: str) -> Tenant:
        return next(t for k, t in self.tenants.items() if k != key)


# Names that appear nowhere else: a leak shows up as these bytes in a response body.
PEOPLE = {
    "a": (("Imogen", "Aldershot"), ("Saoirse", "Abernethy"), ("Tobias", "Ackroyd"),
          ("Iris", "Ambleside"), ("Sunniva", "Arbroath"), ("Torvald", "Axminster"),
          ("Magnus", "Alnwick")),
    "b": (("Ingmar", "Bexhill"), ("Sabine", "Braemar"), ("Theo", "Brixham"),
          ("Isolde", "Buxton"), ("Stellan", "Bude"), ("Tamsin", "Bideford"),
          ("Morwenna", "Bamburgh")),
}
TENANTS = {
    "a": {"flavour": "canvas", "institution": "Aldergrove University", "org": "Alderbrook Analytics",
          "domain": "aldergrove.example", "sub": None},
    "b": {"flavour": "moodle", "institution": "Bramblecote College", "org": "Bramblewick Logistics",
          "domain": "bramblecote.example", "sub": 7340000},
}


def fingerprint(db: Session) -> dict[str, int]:
    """Every row of every table, hashed per table: equal before and after means nothing written."""
    db.expire_all()
    db.rollback()
    found: dict[str, int] = {}
    for table in metadata.sorted_tables:
        rows = db.execute(table.select()).all()
        found[table.name] = hash(tuple(sorted(repr(tuple(r)) for r in rows)))
    db.rollback()
    return found


def _user(lms: Any, tenant: str, index: int, *, is_admin: bool = False) -> Any:
    given, family = PEOPLE[tenant][index]
    options: dict[str, Any] = {"email": f"{given.lower()}.{family.lower()}@{TENANTS[tenant]['domain']}",
                               "is_admin": is_admin}
    base = TENANTS[tenant]["sub"]
    if base is not None:  # Moodle's subs are numbers: make them long enough to search for
        options["user_id"] = str(int(base) + 11 * index + 1)
    return lms.add_user(given, family, **options)


def _markers(*things: Any) -> list[str]:
    out: list[str] = []
    for thing in things:
        if isinstance(thing, Person):
            out += [thing.name, thing.email]
            if len(thing.sub) >= 6:
                out.append(thing.sub)
        elif thing:
            out.append(str(thing))
    return out


def _csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page[:500]
    return unescape(found.group(1))


def _course(app: Flask, db: Session, live: LiveTool, lms: Any, installed: Any, employer: Employer,
            key: str, number: int) -> Course:
    """One course: a placement in teams of two, a team that submitted and was graded (by the
    instructor in the first course; by the employer, approved by the instructor, in the second)."""
    first = 3 * number  # people 0-2 for the first course, 3-5 for the second
    teacher_user = _user(lms, key, first)
    learner_user = _user(lms, key, first + 1)
    waiting_user = _user(lms, key, first + 2)
    title = f"{TENANTS[key]['institution']} seminar {number + 1}"
    course = lms.add_course(title=title)
    lms.enrol(course, teacher_user, "Instructor")
    lms.enrol(course, learner_user, "Learner")
    lms.enrol(course, waiting_user, "Learner")
    here = dataclasses.replace(installed, course=course, instructor=teacher_user, student=learner_user)
    placed = place(db, here, employer=employer, team_size=2)
    placed.placement.title = f"{TENANTS[key]['org']} field study {number + 1}"
    db.commit()
    school = School(app, db, lms, live, here, placed)
    pid = school.placement_id

    teacher = school.instructor()
    student = school.student(learner_user)
    waiting_launch = school.student(waiting_user)
    assert student.post(f"/work/{pid}/team/new").status_code == 303
    assert teacher.post(f"/work/{pid}/manage/milestones",
                        data={"title": f"Outline for {title}", "due": ""}).status_code == 303
    assert student.post(f"/work/{pid}/consent", data={
        "records": ["email", "work", "feedback"], "signature": student.name}).status_code == 303
    work = f"Findings of {student.name} for {title}"
    answer = school.submit(student, text=work, files=[(PDF, f"report-{learner_user.family_name}.pdf")])
    assert answer.status_code == 303, answer.get_data(as_text=True)[:500]
    db.expire_all()
    submission = db.scalar(select(Submission).where(Submission.placement_id == pid))
    assert submission is not None
    if number == 0:
        graded = teacher.post(f"/reviews/placements/{pid}/submissions/{submission.id}/grade",
                              data={"score": "80", "feedback": f"Well argued, {student.name}."})
    else:
        reviewer = school.reviewer(employer)
        assert reviewer.get(f"/employer/reviews/{submission.id}").status_code == 200
        reviewed = review(reviewer, submission, school, (5, 3), feedback=f"Thorough, {student.name}.")
        assert reviewed == 303
        graded = teacher.post(f"/reviews/placements/{pid}/submissions/{submission.id}/approve",
                              data={"score": "", "reason": ""})
    assert graded.status_code == 303, graded.get_data(as_text=True)[:500]
    if number == 1:
        _recommend_credit(teacher, student, pid, person_row(db, here, learner_user).id)
    db.expire_all()
    team = db.scalar(select(Team).where(Team.placement_id == pid))
    milestone = db.scalar(select(Milestone).where(Milestone.placement_id == pid))
    upload = db.scalar(select(SubmissionFile).where(SubmissionFile.submission_id == submission.id))
    outbox = db.scalar(select(ScoreOutbox).where(ScoreOutbox.placement_id == pid))
    assert team and milestone and upload and outbox
    people = [person_row(db, here, u) for u in (teacher_user, learner_user, waiting_user)]
    choice_title = f"{TENANTS[key]['org']} project choice {number + 1}"
    activity = choices.create(
        db, course_id=school.placed.placement.course_id, activity=PlacementSettings(title=choice_title),
        choices=[(employer.revision, PlacementSettings(title=employer.revision.title))] * 2,
        created_by_person_id=None,
    )
    db.commit()
    choice_set = choices.set_at(db, activity)
    assert choice_set is not None
    # The first project takes applications, so its employer's applicants page exists.
    applications.require_applications(db, option=choice_set.options[0], apply_by=date(2099, 1, 1),
                                      select_by=date(2099, 1, 2))
    db.commit()
    return Course(
        activity_id=activity.id, option_id=choice_set.options[0].id,
        school=school, instructor=teacher, student=student, waiting=people[2],
        waiting_launch=waiting_launch, team=team,
        milestone=milestone, submission=submission, file=upload, outbox=outbox,
        markers=_markers(*people, title, work, placed.placement.title, upload.filename, choice_title),
    )


def _recommend_credit(teacher: LaunchedUser, student: LaunchedUser, pid: int, person_id: int) -> None:
    """Credit recommended for the second course's student: it waits for the credit office."""
    for path, data, who in (
        (f"/work/{pid}/hours", {"day": "2026-01-05", "hours": "8", "note": "fieldwork"}, student),
        (f"/course/placements/{pid}/credit/settings", {"credit_bearing": "yes", "credits": "2"}, teacher),
        (f"/course/placements/{pid}/credit/students/{person_id}/hours", {"hours": "8"}, teacher),
        (f"/course/placements/{pid}/credit/students/{person_id}/decide", {"decision": "recommend"}, teacher),
    ):
        answer = who.post(path, data=data)
        assert answer.status_code == 303, (path, answer.get_data(as_text=True)[:500])


def _curator(app: Flask, db: Session, institution: Institution, key: str) -> CookieUser:
    given, family = PEOPLE[key][6]
    account = curation.create_account(
        db, institution_id=institution.id, email=f"curator@{TENANTS[key]['domain']}",
        name=f"{given} {family}",
    )
    db.commit()
    return _cookie_user(app, curation.KIND, account.id, "/curation/curators")


def _credit_officer(app: Flask, db: Session, institution: Institution, key: str) -> CookieUser:
    account = credit_office.create_account(
        db, institution_id=institution.id, email=f"registrar@{TENANTS[key]['domain']}",
        name=f"{TENANTS[key]['institution']} registrar",
    )
    db.commit()
    return _cookie_user(app, credit_office.KIND, account.id, "/credit-office/")


def _cookie_user(app: Flask, kind: str, account_id: int, page: str) -> CookieUser:
    client = app.test_client()
    with app.test_request_context("/"):  # signed in as the emailed link would (server-side)
        cookie_session.sign_in(kind, account_id)
        signed = dict(flask_session)
    with client.session_transaction() as sess:
        sess.update(signed)
    return CookieUser(client, _csrf_of(client.get(page).get_data(as_text=True)))


def _tenant(app: Flask, db: Session, live: LiveTool, lms: Any, key: str) -> Tenant:
    spec = TENANTS[key]
    installed = install_tool(db, lms, tool_base=live.base_url, institution=str(spec["institution"]))
    institution = db.scalar(select(Institution).where(Institution.name == spec["institution"]))
    assert institution is not None
    employer = make_project(db, employer_name=str(spec["org"]), team_size=2,
                            email=f"reviewer@{str(spec['org']).split()[0].lower()}.example")
    employer.member.name = f"{spec['org']} reviewer"
    employer.member.role = "owner"  # so the crawler tries an owner's powers on the other tenant
    invitation = EmployerInvitation(employer_id=employer.org.id, email=f"invitee@{spec['domain']}",
                                    name=f"{spec['org']} invitee",
                                    expires_at=utcnow() + timedelta(days=14))
    db.add(invitation)
    employer.revision.title = f"{spec['org']} route planning"
    db.add(CreditPolicy(institution_id=institution.id, hours_per_credit=4,
                        reflection_required=False, approver="instructor_then_officer"))
    db.add(ProjectOffer(project_id=employer.revision.project_id, institution_id=institution.id,
                        listed_revision_id=employer.revision.id, listed_at=utcnow(),
                        last_decision="approved", decided_at=utcnow()))
    db.commit()
    courses = [_course(app, db, live, lms, installed, employer, key, n) for n in (0, 1)]

    given, family = PEOPLE[key][6]
    admin = lms.add_user(f"{given}x", f"{family}x", email=f"lms-admin@{spec['domain']}", is_admin=True)
    admin_launch = courses[0].school.launch(admin)

    reviewer = courses[0].school.reviewer(employer)
    curator = _curator(app, db, institution, key)
    registrar = _credit_officer(app, db, institution, key)
    actors = [
        Actor("admin", key, 0, lambda p, m, d=None, h=None, u=admin_launch: launched_open(u, p, m, d, h)),
        Actor("employer", key, None, lambda p, m, d=None, h=None, u=reviewer: reviewer_open(u, p, m, d, h)),
        Actor("curator", key, None, curator.open),
        Actor("credit_officer", key, None, registrar.open),
    ]
    for index, course in enumerate(courses):
        for role, user in (("instructor", course.instructor), ("student", course.student)):
            actors.append(Actor(role, key, index,
                                lambda p, m, d=None, h=None, u=user: launched_open(u, p, m, d, h)))
    markers = [m for c in courses for m in c.markers] + _markers(
        spec["org"], employer.member.email, employer.member.name, employer.revision.title,
        f"curator@{spec['domain']}", f"lms-admin@{spec['domain']}", f"registrar@{spec['domain']}",
        f"{given}x {family}x", f"{given} {family}", invitation.email, invitation.name,
    )
    failed = OutgoingEmail(to_address=f"curator@{spec['domain']}", kind="curation_waiting",
                           subject=f"A project awaits curation: “{employer.revision.title}”",
                           body="Undeliverable.", status=EmailStatus.FAILED.value,
                           error="550 mailbox unavailable", institution_id=institution.id)
    db.add(failed)
    db.commit()
    return Tenant(key=key, institution=institution, platform_row_id=installed.row_id,
                  employer=employer, courses=courses, actors=actors, markers=markers,
                  invitation_id=invitation.id, failed_email_id=failed.id)


@contextmanager
def two_tenants(app: Flask, db: Session, settings: Settings) -> Iterator[World]:
    with ExitStack() as stack:
        live = stack.enter_context(live_tool(settings))
        # Everyone uses the live tool: the app the LMS knows (its own base URL and runtime).
        tenants = {}
        for key in TENANTS:
            lms = stack.enter_context(running_platform(str(TENANTS[key]["flavour"])))
            tenants[key] = _tenant(live.app, db, live, lms, key)
        yield World(live.app, db, tenants)
