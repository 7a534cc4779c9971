"""A project placed on its own that requires an application, through the pages and the mail a
real SMTP server receives: the instructor turns it on in the placement settings, students who
launch see the application instead of the work, the employer selects blind, the instructor
publishes, the selected student gets the work, the declined one is told kindly what to do next,
the waitlist fills the freed place, and everyone hears it by mail."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from email.message import Message
from html import unescape
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from config import runtime
from config.mail import OutgoingEmail
from config.settings import Settings
from grading.applications.models import Application
from grading.choices.models import ChoiceSet
from tests.choices.harness import TODAY
from tests.notices.conftest import BASE_URL, Mailbox, deliver_queued
from tests.support.lms import LaunchDriver, launch_token
from tests.work.harness import LaunchedUser, School, school

ANSWER = {"skills_used": "Interviewed 40 café owners for a class project",
          "motivation": "I want to size a real market", "hours_per_week": "5"}


@pytest.fixture
def settings(settings: Settings, mailbox: Mailbox) -> Settings:
    return settings.with_overrides(
        smtp_url=f"smtp://127.0.0.1:{mailbox.port}",  # type: ignore[attr-defined]
        smtp_from="Microbridge <no-reply@tool.example.edu>", base_url=BASE_URL, tasks_eager=True,
    )


@pytest.fixture
def course(app: Flask, db: Session, settings: Settings) -> Iterator[School]:
    with school(db, settings, "canvas") as built:
        yield built


def enter(course: School, user: Any) -> tuple[LaunchedUser, str]:
    """Launch from the course's link and follow the tool to the page it opens."""
    launched = course.launch(user)
    page = launched.get("/work", follow_redirects=True).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    if found:
        launched._csrf = unescape(found.group(1))
    return launched, page


def turn_on(course: School, **fields: str) -> int:
    teacher = course.instructor()
    form = {"requires": "yes", "apply_by": TODAY.isoformat(), "select_by": TODAY.isoformat(), **fields}
    return teacher.post(f"/course/placements/{course.placement_id}/applications", form).status_code


def option_id(course: School, db: Session) -> int:
    db.expire_all()
    found = db.scalar(select(ChoiceSet).where(ChoiceSet.placement_id == course.placement_id))
    assert found is not None and found.solo
    return found.options[0].id


def body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode().replace("\r\n", "\n")


def no_tool_links(text: str) -> None:
    """A student's mail names the course activity to open from the LMS; its only link into the
    tool is the unsubscribe one."""
    assert "Open Microbridge from “Market Research Practicum” in your LMS, then “Café market sizing”" in text
    assert "Your LMS: http://127.0.0.1:" in text
    base = runtime.current().settings.base_url
    assert all("/mail/unsubscribe/" in line for line in text.splitlines() if base in line)


def test_the_instructor_turns_applications_on_in_the_placement_settings(course: School, db: Session) -> None:
    teacher = course.instructor()
    page = teacher.get(f"/lti/placements/{course.placement_id}/settings").get_data(as_text=True)
    assert "Requires an application" in page and 'name="select_by"' in page

    late = (TODAY - timedelta(days=1)).isoformat()
    assert turn_on(course, select_by=late) == 422  # the employer cannot select before applying ends
    assert turn_on(course, seats="many") == 422
    assert db.scalar(select(ChoiceSet)) is None  # nothing half-saved

    assert turn_on(course, seats="1") == 303
    oid = option_id(course, db)
    shown = teacher.get(f"/course/placements/{course.placement_id}").get_data(as_text=True)
    assert "Applications and places" in shown
    assert "Requires an application" in teacher.get(
        f"/lti/placements/{course.placement_id}/settings").get_data(as_text=True)
    # The course home still lists it as the one project it is, not as a choice.
    assert "Café market sizing" in teacher.get("/course").get_data(as_text=True)

    # Turned off again while nobody applied: an ordinary project every student gets.
    off = teacher.post(f"/course/placements/{course.placement_id}/applications", {"requires": ""})
    assert off.status_code == 303
    db.expire_all()
    assert db.scalar(select(ChoiceSet)) is None
    student, page = enter(course, course.installed.student)
    assert ">Start<" in page or 'name="form_token"' in page

    # Once someone applied, it stays on (their application is not thrown away).
    assert turn_on(course) == 303
    student, page = enter(course, course.installed.student)
    assert "Apply to this project" in page
    assert student.post(f"/work/choices/{course.placement_id}/options/{option_id(course, db)}/apply",
                        ANSWER).status_code == 303
    assert teacher.post(f"/course/placements/{course.placement_id}/applications",
                        {"requires": ""}).status_code == 409
    assert oid != 0


def test_students_apply_the_employer_selects_blind_and_everyone_is_told(
    course: School, db: Session, mailbox: Mailbox,
) -> None:
    assert turn_on(course, seats="1") == 303
    oid = option_id(course, db)
    apply_url = f"/work/choices/{course.placement_id}/options/{oid}/apply"

    people = {}
    for given in ("Amy", "Bob", "Cy"):
        launched, page = enter(course, course.add_student(given, "Tester"))
        # The application form instead of the work; the work's own pages refuse.
        assert "Apply to this project" in page and 'name="form_token"' not in page
        assert launched.get(f"/work/{course.placement_id}").status_code == 303
        assert launched.post(f"/work/{course.placement_id}/start").status_code == 403
        assert launched.post(apply_url, ANSWER).status_code == 303
        people[given] = launched
    dee, _ = enter(course, course.add_student("Dee", "Tester"))  # opens the project, does not apply
    rows = {a.person_id: a for a in db.scalars(select(Application))}
    ids = {given: rows[course.people[f"{given} Tester"].id].id for given in people}

    portal = course.reviewer()
    page = portal.get(f"/employer/applications/{oid}").get_data(as_text=True)
    assert "Interviewed 40 café owners" in page and "Amy" not in page and "Bob" not in page
    decided = portal.post(f"/employer/applications/{oid}", {
        f"decision_{ids['Amy']}": "accepted", f"rank_{ids['Amy']}": "1",
        f"decision_{ids['Bob']}": "accepted", f"rank_{ids['Bob']}": "2",
        f"decision_{ids['Cy']}": "declined",
    })
    assert decided.status_code == 303

    teacher = course.instructor()
    assert teacher.post(f"/course/choices/{course.placement_id}/preview").status_code == 303
    manage = teacher.get(f"/course/choices/{course.placement_id}").get_data(as_text=True)
    assert "Café market sizing" in manage and "Amy Tester" in manage
    assert teacher.post(f"/course/choices/{course.placement_id}/publish").status_code == 303
    deliver_queued(db)
    # The instructor's own pages of the project stay its pages (not a choice page).
    assert teacher.get(f"/course/placements/{course.placement_id}").status_code == 200
    assert teacher.get(f"/work/{course.placement_id}/manage").status_code == 200

    # Amy has the one place: launching opens the work.
    amy = people["Amy"]
    assert amy.get(f"/work/{course.placement_id}").status_code == 200
    assert amy.post(f"/work/{course.placement_id}/start").status_code == 303
    # Bob is waitlisted; Cy is told kindly, and (no other project in the course) to ask.
    bob_page = people["Bob"].get("/work", follow_redirects=True).get_data(as_text=True)
    assert "you are on the waitlist" in bob_page
    cy_page = people["Cy"].get("/work", follow_redirects=True).get_data(as_text=True)
    assert "Thank you for applying to Café market sizing" in cy_page
    assert "Ask your instructor which project you can work on instead" in cy_page

    [placed] = mailbox.to("amy@example.edu")
    assert placed["Subject"] == "You have a place on “Café market sizing”"
    base = runtime.current().settings.base_url
    assert placed["List-Unsubscribe"].startswith(f"<{base}/mail/unsubscribe/")
    text = body(placed)
    assert "You get this because you are a student of “Market Research Practicum”" in text
    no_tool_links(text)
    [waiting] = mailbox.to("bob@example.edu")
    assert "waitlist" in waiting["Subject"]
    no_tool_links(body(waiting))
    [declined] = mailbox.to("cy@example.edu")
    assert declined["Subject"] == "About your application to “Café market sizing”"
    text = body(declined)
    assert "that says nothing about your skills" in text and "Ask your instructor" in text
    no_tool_links(text)
    assert "Stop these emails (an employer's answer when it did not take your application)" in text

    # The employer hears how many, never who.
    [digest] = [m for m in mailbox.to(course.placed.employer.member.email)
                if m["Subject"].startswith("1 student will work on")]
    assert "Amy" not in body(digest) and "amy@example.edu" not in body(digest)
    # Dee opened it but did not apply: no waitlist mail for a project she never asked for.
    assert mailbox.to("dee@example.edu") == []
    dee_page = dee.get("/work", follow_redirects=True).get_data(as_text=True)
    assert "waitlist" not in dee_page and "Apply to this project" in dee_page
    # Students can turn each of these kinds off in their email settings.
    settings_page = people["Amy"].get("/work/mail-settings").get_data(as_text=True)
    assert 'value="place_given"' in settings_page and 'value="application_declined"' in settings_page

    # Amy gives her place up: the employer's next pick, Bob, gets it (never Cy, declined).
    withdrawn = amy.post(f"/work/choices/{course.placement_id}/withdraw", {"confirm": "yes"})
    assert withdrawn.status_code == 303
    deliver_queued(db)
    assert amy.get(f"/work/{course.placement_id}").status_code == 303
    assert people["Bob"].get(f"/work/{course.placement_id}").status_code == 200
    moved = [m for m in mailbox.to("bob@example.edu") if "A place opened" in m["Subject"]]
    assert len(moved) == 1 and "it is yours" in body(moved[0])
    no_tool_links(body(moved[0]))
    assert people["Cy"].get(f"/work/{course.placement_id}").status_code == 303
    assert len(mailbox.to("cy@example.edu")) == 1


def test_a_student_who_turned_the_kind_off_is_not_mailed(course: School, db: Session,
                                                         mailbox: Mailbox) -> None:
    from config import notices

    assert turn_on(course, seats="1") == 303
    oid = option_id(course, db)
    ada, _ = enter(course, course.add_student("Ada", "Tester"))
    assert ada.post(f"/work/choices/{course.placement_id}/options/{oid}/apply", ANSWER).status_code == 303
    notices.set_wanted(db, address="ada@example.edu", kind="place_given", wanted=False)
    db.commit()
    teacher = course.instructor()
    assert teacher.post(f"/course/choices/{course.placement_id}/preview").status_code == 303
    assert teacher.post(f"/course/choices/{course.placement_id}/publish").status_code == 303
    deliver_queued(db)
    assert mailbox.to("ada@example.edu") == []
    assert ada.get(f"/work/{course.placement_id}").status_code == 200  # the employer never selected:
    # the instructor's fallback by fit gave her the open place.
    assert db.scalar(select(OutgoingEmail).where(OutgoingEmail.to_address == "ada@example.edu")) is None


def test_a_declined_student_is_pointed_to_the_next_fit_in_the_course(course: School, db: Session) -> None:
    from grading.placements.models import Placement
    from tests.work.factories import course_row, make_project

    other = make_project(db, employer_name="Globex Corporation")
    link = course.lms.add_resource_link(course.installed.course, course.installed.tool, title="Pricing study",
                                        score_maximum=100)
    db.add(Placement(course_id=course_row(db, course.installed).id, resource_link_id=link.id,
                     project_revision_id=other.revision.id, title="Pricing study", score_maximum=100))
    db.commit()
    assert turn_on(course) == 303
    oid = option_id(course, db)
    cy, _ = enter(course, course.add_student("Cy", "Tester"))
    assert cy.post(f"/work/choices/{course.placement_id}/options/{oid}/apply", ANSWER).status_code == 303
    row = db.scalar(select(Application))
    assert row is not None
    assert course.reviewer().post(f"/employer/applications/{oid}",
                                  {f"decision_{row.id}": "declined"}).status_code == 303
    page = cy.get("/work", follow_redirects=True).get_data(as_text=True)
    assert "“Pricing study” is still open in your course" in page


def test_turning_applications_on_needs_the_courses_instructor_and_a_form_token(course: School) -> None:
    student, _ = enter(course, course.installed.student)
    target = f"/course/placements/{course.placement_id}/applications"
    form = {"requires": "yes", "apply_by": TODAY.isoformat(), "select_by": TODAY.isoformat()}
    assert student.post(target, form).status_code == 403

    teacher = course.instructor()
    forged = teacher.client.post(target, query_string={"lt": teacher.token}, data=form)
    assert forged.status_code in (400, 403)  # no CSRF token

    lms = course.lms
    other = lms.add_course(title="Another course")
    lms.enrol(other, course.installed.instructor, "Instructor")
    outsider = course.app.test_client()
    response = LaunchDriver(outsider, lms).launch(course.installed.tool, course.installed.instructor, other)
    token = launch_token(response)
    home = outsider.get(f"/work/mail-settings?lt={token}").get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', home)
    assert found, home[:500]
    elsewhere = outsider.post(f"{target}?lt={token}", data={**form, "csrf_token": unescape(found.group(1))})
    assert elsewhere.status_code == 404


def test_the_applicant_page_names_a_student_only_once_selected_and_consented(
    course: School, db: Session,
) -> None:
    """Pseudonym before selection; still the pseudonym when selected without consent (and when
    consented without selection); the name once both; every name shown is a disclosure logged."""
    from grading.consent import service as consent
    from grading.consent.models import Disclosure, Participation
    from grading.people.models import Person
    from grading.placements.models import Placement

    assert turn_on(course, seats="1") == 303
    oid = option_id(course, db)
    ada, _ = enter(course, course.add_student("Ada", "Lovelace"))
    bob, _ = enter(course, course.add_student("Bob", "Babbage"))
    for student in (ada, bob):
        assert student.post(f"/work/choices/{course.placement_id}/options/{oid}/apply",
                            ANSWER).status_code == 303
    ada_id, bob_id = course.people["Ada Lovelace"].id, course.people["Bob Babbage"].id
    pseudonyms = {p.person_id: p.pseudonym for p in db.scalars(
        select(Participation).where(Participation.placement_id == course.placement_id))}
    rows = {a.person_id: a.id for a in db.scalars(select(Application))}
    portal = course.reviewer()
    page_url = f"/employer/applications/{oid}"

    def shown() -> str:
        return portal.get(page_url).get_data(as_text=True)

    def named_disclosures() -> list[Disclosure]:
        db.expire_all()
        return list(db.scalars(select(Disclosure).where(Disclosure.identified.is_(True))
                               .order_by(Disclosure.id)))

    # Before selection: pseudonyms only, nothing disclosed by name.
    page = shown()
    assert pseudonyms[ada_id] in page and pseudonyms[bob_id] in page
    assert "Lovelace" not in page and "Babbage" not in page
    assert named_disclosures() == []

    # Selected (accepted and ranked first), but Ada has not consented: still her pseudonym.
    assert portal.post(page_url, {f"decision_{rows[ada_id]}": "accepted",
                                  f"rank_{rows[ada_id]}": "1"}).status_code == 303
    page = shown()
    assert pseudonyms[ada_id] in page and "Lovelace" not in page
    assert named_disclosures() == []

    # Bob consented to be named but was not selected: still his pseudonym.
    placement = db.get(Placement, course.placement_id)
    bob_row = db.get(Person, bob_id)
    assert placement is not None and bob_row is not None
    consent.give(db, placement=placement, person=bob_row, records=[], signature="Bob Babbage",
                 today=TODAY)
    db.commit()
    page = shown()
    assert pseudonyms[bob_id] in page and "Babbage" not in page
    assert named_disclosures() == []

    # Ada gets the place, opens the work and consents: now (selected and consented) her name.
    teacher = course.instructor()
    assert teacher.post(f"/course/choices/{course.placement_id}/preview").status_code == 303
    assert teacher.post(f"/course/choices/{course.placement_id}/publish").status_code == 303
    signed = ada.post(f"/work/{course.placement_id}/consent", {"signature": "Ada Lovelace"})
    assert signed.status_code == 303
    page = shown()
    assert "Ada Lovelace" in page and pseudonyms[ada_id] not in page
    assert "Babbage" not in page
    [logged] = named_disclosures()
    assert (logged.person_id, logged.placement_id, logged.action) == (ada_id, course.placement_id,
                                                                     "viewed applicants")
    assert logged.viewer_id == course.placed.employer.member.id and logged.consent_id is not None

    # Every look that shows the name is logged again.
    assert "Ada Lovelace" in shown()
    assert [d.person_id for d in named_disclosures()] == [ada_id, ada_id]
