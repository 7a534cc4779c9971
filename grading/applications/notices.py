"""Students told by mail where they stand: a place given (when the assignment is published, by
the instructor's hand afterwards, or when they join late), a declined application (kindly, with
what they can do next), a place freed from the waitlist.

Through ``config.notices``: a reason line, per-kind unsubscribe (List-Unsubscribe too). As for
every LMS person (``grading.reviews.notices``), the mail goes to the address the LMS gave and
never carries a link into the tool's work pages: it names the course and the activity to open
from the LMS, with the LMS's own address. Each notice goes out once (``notices.once``).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from config import notices
from config.database import utcnow
from grading.applications import solo
from grading.applications.models import Application, ApplicationStatus, Decision
from grading.choices.models import AssignmentStatus, ChoiceAssignment, ChoiceOption, ChoiceSet
from grading.people.models import Person
from grading.reviews.notices import address_of, institution_of, way_in


def _send(session: Session, *, choice_set: ChoiceSet, person: Person, key: str, kind: str,
          subject: str, text: str) -> bool:
    activity = choice_set.placement
    address = address_of(session, placement=activity, person=person)
    if not address or not notices.once(session, key):
        return False
    course = activity.course.display_title()
    hello = f"Hello {person.given_name}," if person.given_name else "Hello,"
    return notices.notify(
        session, to=address, kind=kind, institution_id=institution_of(session, activity),
        subject=subject,
        body=f"{hello}\n\n{text}\n\n" + way_in(session, activity, f"“{activity.title}”"),
        reason=f"you are a student of “{course}”, which has the activity “{activity.title}”.",
    ) is not None


def _title(session: Session, row: ChoiceAssignment) -> str:
    # By id: the row's option may have just been set by id, its relationship not yet reloaded.
    option = session.get(ChoiceOption, row.option_id) if row.option_id is not None else None
    return option.placement.title if option is not None else ""


def tell_assigned(session: Session, *, choice_set: ChoiceSet, row: ChoiceAssignment, person: Person,
                  moved_off_waitlist: bool = False) -> bool:
    if row.status != AssignmentStatus.ASSIGNED.value or row.option_id is None:
        return False
    title = _title(session, row)
    lead = (f"A place opened on “{title}”, and it is yours." if moved_off_waitlist
            else f"You have a place on “{title}”.")
    return _send(session, choice_set=choice_set, person=person, kind="place_given",
                 key=f"place-given:{choice_set.id}:{person.id}:{row.option_id}",
                 subject=(f"A place opened for you: “{title}”" if moved_off_waitlist
                          else f"You have a place on “{title}”"),
                 text=f"{lead} {row.reason}\n\nYour work on it opens in Microbridge.")


def tell_waitlisted(session: Session, *, choice_set: ChoiceSet, row: ChoiceAssignment,
                    person: Person) -> bool:
    return _send(session, choice_set=choice_set, person=person, kind="place_given",
                 key=f"waitlisted:{choice_set.id}:{person.id}",
                 subject=f"You are on the waitlist for “{choice_set.placement.title}”",
                 text=(f"{row.reason}\n\nIf a place frees up that you can take, it is yours, and you "
                       "will be told."))


def tell_declined(session: Session, *, choice_set: ChoiceSet, application: Application,
                  person: Person) -> bool:
    """Kind words, and the next step: the best-fitting other open activity of the course, or
    the instructor."""
    title = application.option.placement.title
    now = utcnow()
    step = solo.next_step(session, placement=choice_set.placement, person=person, today=now.date(), now=now)
    return _send(session, choice_set=choice_set, person=person, kind="application_declined",
                 key=f"declined:{application.id}",
                 subject=f"About your application to “{title}”",
                 text=solo.declined_words(title, step))


def declined_in(session: Session, choice_set: ChoiceSet) -> dict[int, Application]:
    """Each student's live declined application in this set (by person id)."""
    ids = [o.id for o in choice_set.options]
    found: dict[int, Application] = {}
    for row in session.scalars(select(Application).where(
            Application.option_id.in_(ids), Application.decision == Decision.DECLINED.value,
            Application.status == ApplicationStatus.SUBMITTED.value).order_by(Application.id)):
        found.setdefault(row.person_id, row)
    return found


def tell_published(session: Session, *, choice_set: ChoiceSet, rows: list[ChoiceAssignment],
                   people: dict[int, Person]) -> int:
    """After publishing: each student hears their place, or (without one) that the employer
    declined them, else that they are on the waitlist (on a single project: applicants only)."""
    declined = declined_in(session, choice_set)
    applied = set(session.scalars(select(Application.person_id).where(
        Application.option_id.in_([o.id for o in choice_set.options]),
        Application.status == ApplicationStatus.SUBMITTED.value)))
    sent = 0
    for row in rows:
        person = people[row.person_id]
        if row.status == AssignmentStatus.ASSIGNED.value:
            sent += tell_assigned(session, choice_set=choice_set, row=row, person=person)
        elif row.person_id in declined:
            sent += tell_declined(session, choice_set=choice_set, application=declined[row.person_id],
                                  person=person)
        elif not choice_set.solo or row.person_id in applied:
            # On a single project, only applicants wait for its places: the rest of the course
            # did not ask for it (their page says where they stand).
            sent += tell_waitlisted(session, choice_set=choice_set, row=row, person=person)
    return sent
