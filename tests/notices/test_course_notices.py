"""What the course's people are told by mail: the instructor when an employer's review awaits
approval, the student when feedback and grade are released. Their mail never carries the work
or a link that opens it outside the LMS; a student without an address gets nothing, and
nothing breaks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from email.message import Message

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from config import runtime
from config.database import transaction, utcnow
from config.mail import OutgoingEmail
from config.settings import Settings
from grading.placements.models import RosterMember
from grading.reviews import deadlines
from tests.reviews.flow import review, submitted
from tests.work.harness import School, school

from .conftest import Mailbox, deliver_queued


@pytest.fixture
def course(app: Flask, db: Session, settings: Settings) -> Iterator[School]:
    with school(db, settings, "canvas") as built:
        built.instructor()  # the instructor who placed it, with the address the launch gave
        built.placed.placement.created_by_person_id = built.people["Grace Hopper"].id
        db.commit()
        yield built


def _text(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode().replace("\r\n", "\n")


def _way_in_only(body: str) -> None:
    """Open Microbridge from the course; the LMS's own address; no link into the tool."""
    base = runtime.current().settings.base_url
    assert "Open Microbridge from “Market Research Practicum” in your LMS" in body
    assert "Your LMS: http://127.0.0.1:" in body
    tool_links = [line for line in body.splitlines() if base in line]
    assert all("/mail/unsubscribe/" in line for line in tool_links), tool_links


def test_the_instructor_is_told_a_grade_awaits_approval_then_the_student_that_it_is_out(
    course: School, db: Session, mailbox: Mailbox,
) -> None:
    _, submission = submitted(course)
    assert review(course.reviewer(), submission, course, (3, 3)) == 303
    deliver_queued(db)

    [waiting] = mailbox.to("grace@example.edu")
    assert waiting["Subject"] == "An employer's review awaits your approval in “Café market sizing”"
    assert waiting["List-Unsubscribe"].startswith("<http")
    body = _text(waiting)
    _way_in_only(body)
    assert "You get this because you placed “Café market sizing”" in body
    assert mailbox.to("ada@example.edu") == []  # nothing is released yet

    teacher = course.instructor()
    approved = teacher.post(f"/reviews/placements/{course.placement_id}/submissions/"
                            f"{submission.id}/approve", data={"score": "", "reason": ""})
    assert approved.status_code == 303
    deliver_queued(db)
    [released] = mailbox.to("ada@example.edu")
    assert released["Subject"] == "Your feedback for “Café market sizing” is ready"
    body = _text(released)
    _way_in_only(body)
    assert "Strong analysis" not in body  # the feedback itself stays in the LMS and the tool
    # A second review of the same grade (a double click) sends nothing more.
    teacher.post(f"/reviews/placements/{course.placement_id}/submissions/{submission.id}/approve",
                 data={"score": "", "reason": ""})
    deliver_queued(db)
    assert len(mailbox.to("ada@example.edu")) == 1 and len(mailbox.to("grace@example.edu")) == 1


def test_a_student_without_an_address_gets_nothing_and_the_grade_still_goes_out(
    course: School, db: Session, mailbox: Mailbox,
) -> None:
    student, submission = submitted(course)
    person = course.people[student.name]
    person.email = ""  # the LMS withheld it (a privacy setting), and no roster gave one
    _roster_address(db, course, person.sub, "")
    db.commit()
    graded = course.instructor().post(
        f"/reviews/placements/{course.placement_id}/submissions/{submission.id}/grade",
        data={"score": "80", "feedback": "Well argued."})
    assert graded.status_code == 303
    deliver_queued(db)
    assert mailbox.received == []
    assert db.scalars(select(OutgoingEmail)).all() == []


def _roster_address(db: Session, course: School, sub: str, email: str) -> None:
    """What the roster says of a learner's address (the instructor's launch loaded it)."""
    member = db.scalar(select(RosterMember).where(RosterMember.placement_id == course.placement_id,
                                                  RosterMember.user_sub == sub))
    if member is None:
        db.add(RosterMember(placement_id=course.placement_id, user_sub=sub, email=email,
                            is_learner=True))
    else:
        member.email = email


def test_the_rosters_address_is_used_when_the_launch_gave_none(
    course: School, db: Session, mailbox: Mailbox,
) -> None:
    student, submission = submitted(course)
    person = course.people[student.name]
    person.email = ""
    _roster_address(db, course, person.sub, "ada.roster@example.edu")
    db.commit()
    course.instructor().post(
        f"/reviews/placements/{course.placement_id}/submissions/{submission.id}/grade",
        data={"score": "80", "feedback": "Well argued."})
    deliver_queued(db)
    [released] = mailbox.to("ada.roster@example.edu")
    assert "is ready" in released["Subject"]


def test_the_employers_digest_arrives_with_absolute_links_and_one_click_unsubscribe(
    course: School, db: Session, mailbox: Mailbox,
) -> None:
    _, submission = submitted(course)
    with transaction(runtime.current().session_factory) as session:
        assert deadlines.send_reminders(session, now=utcnow(), review_days=7) == 1
    deliver_queued(db)
    [digest] = mailbox.to(course.placed.employer.member.email)
    base = runtime.current().settings.base_url
    assert f"{base}/employer/reviews/{submission.id}\n" in _text(digest)
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = digest["List-Unsubscribe"].strip("<>").removeprefix(base)
    assert course.app.test_client().post(path, data={"List-Unsubscribe": "One-Click"}
                                         ).status_code == 200
    later = utcnow() + timedelta(days=3, hours=1)  # day 3: a reminder would be due
    with transaction(runtime.current().session_factory) as session:
        assert deadlines.send_reminders(session, now=later, review_days=7) == 0  # turned off
    deliver_queued(db)
    assert len(mailbox.to(course.placed.employer.member.email)) == 1


def test_an_instructor_turns_a_kind_off_from_inside_the_lms(
    course: School, db: Session, mailbox: Mailbox,
) -> None:
    teacher = course.instructor()
    page = teacher.get("/work/mail-settings").get_data(as_text=True)
    assert "grace@example.edu" in page and 'value="grade_to_approve" checked' in page
    assert 'value="feedback_released"' not in page  # a student's kind
    saved = teacher.post("/work/mail-settings", data={"on": ["review_overdue"]})
    assert saved.status_code == 303 and "lt=" in saved.headers["Location"]
    assert "Email settings saved." in teacher.get(saved.headers["Location"]).get_data(as_text=True)

    _, submission = submitted(course)
    assert review(course.reviewer(), submission, course, (3, 3)) == 303
    deliver_queued(db)
    assert mailbox.to("grace@example.edu") == []
