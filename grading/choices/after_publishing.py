"""After publishing: a student who joins the course late, a student who withdraws, and the
waitlist that fills a freed place."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from catalog.matching import algorithm
from config.web import UserFacingError
from grading.applications import notices as student_notices
from grading.choices import seats as seat_counts
from grading.choices.assign import assignments, employer_ranks, read_inputs, reason, take_up
from grading.choices.models import AssignmentStatus, ChoiceAssignment, ChoiceOption, ChoiceSet
from grading.choices.service import all_ranks, option_in
from grading.people.models import Person
from grading.teams import service as teams


def place_late(session: Session, *, choice_set: ChoiceSet, person: Person, today: date) -> ChoiceAssignment:
    """A student new to a published set: an open place by their ranks or fit, else the waitlist."""
    row = assignments(session, choice_set_id=choice_set.id).get(person.id)
    if row is not None:
        return row
    held = seat_counts.held(session, choice_set_id=choice_set.id, statuses=(AssignmentStatus.ASSIGNED.value,))
    inputs = read_inputs(session, choice_set, today=today, people=[person], held_here=held)
    result = algorithm.assign(inputs.choosers, inputs.places, seed=choice_set.seed or 0, today=today,
                              employer_ranks=employer_ranks(session, choice_set) or None)
    outcome = result.outcomes[person.id]
    titles = {o.id: o.placement.title for o in choice_set.options}
    row = ChoiceAssignment(
        choice_set_id=choice_set.id, person_id=person.id, option_id=outcome.place_id,
        status=(AssignmentStatus.ASSIGNED if outcome.place_id else AssignmentStatus.WAITLISTED).value,
        rank=outcome.rank, by_fit=outcome.by_fit,
        reason="You joined after the assignment was published. "
        + reason(outcome, inputs.choosers[0], inputs, titles),
    )
    session.add(row)
    session.flush()
    if outcome.place_id is not None:
        take_up(session, option_in(choice_set, outcome.place_id), person)
        student_notices.tell_assigned(session, choice_set=choice_set, row=row, person=person)
    return row


def withdraw(
    session: Session, *, choice_set: ChoiceSet, person: Person, today: date
) -> ChoiceAssignment | None:
    """The student gives up their place; the next waitlisted student who can take it gets it.

    Returns the assignment of the student who got the freed place, if any.
    """
    row = assignments(session, choice_set_id=choice_set.id).get(person.id)
    if row is None or row.status != AssignmentStatus.ASSIGNED.value or row.option is None:
        raise UserFacingError("You have no place to give up in this activity.", title="Nothing to withdraw",
                              status=409)
    freed = row.option
    teams.leave(session, placement=freed.placement, person=person)
    row.status = AssignmentStatus.WITHDRAWN.value
    row.reason = f"You withdrew from {freed.placement.title}."
    session.flush()
    return fill_from_waitlist(session, choice_set=choice_set, option=freed, today=today)


def fill_from_waitlist(
    session: Session, *, choice_set: ChoiceSet, option: ChoiceOption, today: date
) -> ChoiceAssignment | None:
    """Give a freed place to the waitlisted student first in line who can take it.

    In line: those who ranked this project (better rank first), then the others, each in the
    set's lottery order (the recorded seed). Where the employer selected from applications,
    only the students it took are in line, in its order.
    """
    waiting = [a for a in assignments(session, choice_set_id=choice_set.id).values()
               if a.status == AssignmentStatus.WAITLISTED.value]
    if not waiting:
        return None
    draw = algorithm.lottery((a.person_id for a in waiting), choice_set.seed or 0)
    ranks = all_ranks(session, choice_set_id=choice_set.id)

    chosen = employer_ranks(session, choice_set).get(option.id)
    if chosen is not None:
        waiting = [a for a in waiting if a.person_id in chosen]

    def line(a: ChoiceAssignment) -> tuple[int, int, int]:
        mine = ranks.get(a.person_id, [])
        by_employer = chosen.index(a.person_id) if chosen is not None else 0
        return (by_employer, mine.index(option.id) if option.id in mine else 99, draw[a.person_id])

    held = seat_counts.held(session, choice_set_id=choice_set.id, statuses=(AssignmentStatus.ASSIGNED.value,))
    for candidate in sorted(waiting, key=line):
        person = session.get(Person, candidate.person_id)
        if person is None:
            continue
        inputs = read_inputs(session, choice_set, today=today, people=[person], held_here=held)
        place = next(p for p in inputs.places if p.id == option.id)
        if not algorithm.allowed(inputs.choosers[0], place, today=today):
            continue
        candidate.option_id = option.id
        candidate.status = AssignmentStatus.ASSIGNED.value
        mine = ranks.get(person.id, [])
        candidate.rank = mine.index(option.id) + 1 if option.id in mine else None
        candidate.reason = (f"A place opened on {option.placement.title} and you were next on the "
                            f"waitlist. {inputs.fits[(person.id, option.id)].reason}")
        session.flush()
        take_up(session, option, person)
        student_notices.tell_assigned(session, choice_set=choice_set, row=candidate, person=person,
                                      moved_off_waitlist=True)
        return candidate
    return None


def fill_open_places(session: Session, *, choice_set: ChoiceSet, today: date) -> int:
    """Give open places to the waitlist, in lottery order, each student their best open place
    (by their ranks, else by fit); how many students got one."""
    waiting = [a for a in assignments(session, choice_set_id=choice_set.id).values()
               if a.status == AssignmentStatus.WAITLISTED.value]
    draw = algorithm.lottery((a.person_id for a in waiting), choice_set.seed or 0)
    titles = {o.id: o.placement.title for o in choice_set.options}
    selected = employer_ranks(session, choice_set)
    given = 0
    for row in sorted(waiting, key=lambda a: draw[a.person_id]):
        person = session.get(Person, row.person_id)
        if person is None:
            continue
        held = seat_counts.held(session, choice_set_id=choice_set.id,
                                statuses=(AssignmentStatus.ASSIGNED.value,))
        inputs = read_inputs(session, choice_set, today=today, people=[person], held_here=held)
        outcome = algorithm.assign(inputs.choosers, inputs.places, seed=choice_set.seed or 0, today=today,
                                   employer_ranks=selected or None).outcomes[person.id]
        if outcome.place_id is None:
            continue
        row.option_id, row.rank, row.by_fit = outcome.place_id, outcome.rank, outcome.by_fit
        row.status = AssignmentStatus.ASSIGNED.value
        row.reason = "A place opened up. " + reason(outcome, inputs.choosers[0], inputs, titles)
        session.flush()
        take_up(session, option_in(choice_set, outcome.place_id), person)
        student_notices.tell_assigned(session, choice_set=choice_set, row=row, person=person,
                                      moved_off_waitlist=True)
        given += 1
    return given
