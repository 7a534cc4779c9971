"""Who gets which project: the instructor's preview, hand adjustments, publishing, and what
happens afterwards (a student who joins late, a student who withdraws).

The rules and the algorithm are ``catalog.matching.algorithm``'s; this module reads the
course into its plain inputs and writes the result back as ``ChoiceAssignment`` rows. Nothing
commits here: the view publishes in one transaction, so a failure leaves nothing half-saved.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from catalog.employers.models import EmployerMember
from catalog.matching import algorithm
from catalog.matching.algorithm import Chooser, Matching, Place
from catalog.matching.fit import Fit, fit, weekly_hours
from catalog.projects.models import ProjectRevision
from config import notices
from config.database import utcnow
from config.web import NotFound, UserFacingError
from grading.applications import notices as student_notices
from grading.applications import service as applications
from grading.choices import seats as seat_counts
from grading.choices.models import (
    AssignmentStatus,
    ChoiceAssignment,
    ChoiceOption,
    ChoiceRank,
    ChoiceSet,
    Method,
    SetState,
)
from grading.choices.service import all_ranks, option_in, project_facts, revisions_of
from grading.choices.workload import Workload, workloads
from grading.consent.service import ensure_participation
from grading.people.models import Person
from grading.profiles.models import StudentProfile
from grading.profiles.service import facts
from grading.reviews.notices import institution_of
from grading.teams import service as teams

ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}


def employer_ranks(session: Session, choice_set: ChoiceSet) -> dict[int, list[int]]:
    """Employers' rankings, by option id: person ids, best first (only listed people are taken).

    An option with an employer's ranking switches the assignment to the stable matching;
    an option whose employer selected nobody is filled by fit (the instructor's fallback).
    """
    return applications.employer_ranks(session, choice_set)


def learners(session: Session, choice_set: ChoiceSet) -> list[Person]:
    """The set's students: the course roster (NRPS) and anyone who opened, ranked or holds a place."""
    people = {p.id: p for p in teams.learners(session, placement=choice_set.placement)}
    ids = set(session.scalars(select(ChoiceRank.person_id).where(ChoiceRank.choice_set_id == choice_set.id)))
    ids |= set(session.scalars(
        select(ChoiceAssignment.person_id).where(ChoiceAssignment.choice_set_id == choice_set.id)
    ))
    missing = ids - people.keys()
    if missing:
        people.update({p.id: p for p in session.scalars(select(Person).where(Person.id.in_(missing)))})
    return sorted(people.values(), key=lambda p: (p.display_name().lower(), p.id))


@dataclass(frozen=True)
class Inputs:
    """The course read into the algorithm's plain values, and what the reasons need."""

    people: list[Person]
    revisions: dict[int, ProjectRevision]
    places: list[Place]
    choosers: list[Chooser]
    fits: dict[tuple[int, int], Fit]
    loads: dict[int, Workload]


def read_inputs(
    session: Session, choice_set: ChoiceSet, *, today: date, people: Sequence[Person],
    held_here: Mapping[int, int] | None = None,
) -> Inputs:
    revisions = revisions_of(session, choice_set)
    seats = seat_counts.student_seats(session, choice_set=choice_set, revisions=revisions,
                                      held_here=held_here)
    ids = [p.id for p in people]
    loads = workloads(session, person_ids=ids, today=today, excluding_set_id=choice_set.id)
    profiles = {
        p.person_id: p
        for p in session.scalars(select(StudentProfile).where(StudentProfile.person_id.in_(ids)))
    } if ids else {}
    ranks = all_ranks(session, choice_set_id=choice_set.id)
    places = [
        Place(id=o.id, seats=seats[o.id],
              hours_per_week=weekly_hours(r.estimated_hours, r.window_start, r.window_end),
              starts=r.window_start, ends=r.window_end)
        for o in choice_set.options for r in (revisions[o.id],)
    ]
    fits: dict[tuple[int, int], Fit] = {}
    choosers = []
    for person in people:
        profile = profiles.get(person.id)
        load = loads[person.id]
        student = facts(profile, hours_taken=load.total)
        for option in choice_set.options:
            fits[(person.id, option.id)] = fit(student, project_facts(revisions[option.id]))
        choosers.append(Chooser(
            id=person.id, ranks=tuple(ranks.get(person.id, ())),
            fit={o.id: fits[(person.id, o.id)].score for o in choice_set.options},
            hours_free=load.left,
            available_from=profile.available_from if profile else None,
            available_until=profile.available_until if profile else None,
        ))
    return Inputs(list(people), revisions, places, choosers, fits, loads)


def reason(outcome: algorithm.Outcome, chooser: Chooser, inputs: Inputs, titles: Mapping[int, str]) -> str:
    """The assignment in words, for the student and the instructor."""
    if outcome.place_id is None:
        if not inputs.places or all(p.seats <= 0 for p in inputs.places):
            return "Every place in this set is taken, so you are on the waitlist."
        return ("No project with a place left fits your hours and dates, so you are on the "
                "waitlist: the next freed place you can take is yours.")
    why = inputs.fits[(chooser.id, outcome.place_id)].reason
    title = titles[outcome.place_id]
    if outcome.rank is not None:
        return f"{title} was your {ORDINALS.get(outcome.rank, str(outcome.rank))} choice. {why}"
    if not chooser.ranks:
        return f"You did not rank any project, so you were placed by fit on {title}. {why}"
    return (f"None of the projects you ranked had a place you could take, so you were placed by "
            f"fit on {title}. {why}")


def preview(
    session: Session, *, choice_set: ChoiceSet, today: date, seed: int | None = None,
) -> Matching:
    """Run the matching and store it as the proposed assignment (replacing an earlier one)."""
    if choice_set.state == SetState.PUBLISHED.value:
        raise UserFacingError("This assignment is already published.", title="Already published",
                              hint="Move students by hand below, or let them withdraw.", status=409)
    if not choice_set.options:
        raise UserFacingError("This set has no projects to assign.", title="Empty set", status=422)
    people = learners(session, choice_set)
    if not people:
        raise UserFacingError(
            "No students are known for this activity yet.", title="No students yet", status=422,
            hint="Refresh the roster from the LMS, or wait until students have opened the activity.",
        )
    inputs = read_inputs(session, choice_set, today=today, people=people)
    used_seed = seed if seed is not None else secrets.randbelow(2**31 - 1)
    result = algorithm.assign(inputs.choosers, inputs.places, seed=used_seed, today=today,
                              employer_ranks=employer_ranks(session, choice_set) or None)
    titles = {o.id: o.placement.title for o in choice_set.options}
    session.execute(delete(ChoiceAssignment).where(ChoiceAssignment.choice_set_id == choice_set.id))
    for chooser in inputs.choosers:
        outcome = result.outcomes[chooser.id]
        session.add(ChoiceAssignment(
            choice_set_id=choice_set.id, person_id=chooser.id, option_id=outcome.place_id,
            status=AssignmentStatus.PROPOSED.value, rank=outcome.rank, by_fit=outcome.by_fit,
            reason=reason(outcome, chooser, inputs, titles),
        ))
    choice_set.state = SetState.PREVIEWED.value
    choice_set.method = Method(result.method).value
    choice_set.seed = used_seed
    choice_set.previewed_at = utcnow()
    session.flush()
    return result


def assignments(session: Session, *, choice_set_id: int) -> dict[int, ChoiceAssignment]:
    return {
        a.person_id: a for a in session.scalars(
            select(ChoiceAssignment).where(ChoiceAssignment.choice_set_id == choice_set_id)
        )
    }


def _check_rules(
    session: Session, choice_set: ChoiceSet, *, person: Person, option: ChoiceOption, today: date,
    counted: tuple[str, ...],
) -> None:
    """The hard rules for one hand-made move: seats, date window, weekly hours."""
    held = seat_counts.held(session, choice_set_id=choice_set.id, statuses=counted)
    current = assignments(session, choice_set_id=choice_set.id).get(person.id)
    if current is not None and current.option_id == option.id and current.status in counted:
        return
    inputs = read_inputs(session, choice_set, today=today, people=[person], held_here=held)
    place = next(p for p in inputs.places if p.id == option.id)
    title = option.placement.title
    if place.seats <= 0:
        raise UserFacingError(
            f"{title} has no place left.", title="No place left", status=409,
            hint="Move someone else out of it first, or raise its limit (within the project's capacity).",
        )
    chooser = inputs.choosers[0]
    if place.ends is not None and place.ends < today:
        raise UserFacingError(f"{title}'s dates have ended.", title="Outside the project's dates", status=409)
    if not algorithm.allowed(chooser, place, today=today):
        why = inputs.fits[(person.id, option.id)].reason
        raise UserFacingError(
            f"{person.display_name()} cannot take {title}: {why}", title="Over their hours or dates",
            hint="Choose a project that fits the hours and weeks the student said they have.", status=409,
        )


def adjust(
    session: Session, *, choice_set: ChoiceSet, person_id: int, option_id: int | None, today: date,
) -> ChoiceAssignment:
    """The instructor moves one student by hand (None: no place), within the hard rules."""
    person = next((p for p in learners(session, choice_set) if p.id == person_id), None)
    if person is None:
        raise NotFound("There is no such student in this activity.", title="Student not found")
    option = option_in(choice_set, option_id) if option_id is not None else None
    if choice_set.state == SetState.OPEN.value:
        raise UserFacingError("Preview the assignment first, then adjust it.", title="Nothing to adjust yet",
                              status=409)
    published = choice_set.state == SetState.PUBLISHED.value
    row = assignments(session, choice_set_id=choice_set.id).get(person_id)
    if option is not None:
        counted = (AssignmentStatus.ASSIGNED.value,) if published else (AssignmentStatus.PROPOSED.value,)
        _check_rules(session, choice_set, person=person, option=option, today=today, counted=counted)
    if row is None:
        row = ChoiceAssignment(choice_set_id=choice_set.id, person_id=person_id)
        session.add(row)
    old_option = row.option if published and row.status == AssignmentStatus.ASSIGNED.value else None
    row.option_id = option.id if option else None
    row.rank = None
    if option is not None:
        ranks = all_ranks(session, choice_set_id=choice_set.id).get(person_id, [])
        row.rank = ranks.index(option.id) + 1 if option.id in ranks else None
    row.by_fit = False
    row.adjusted = True
    row.reason = (f"Your instructor placed you on {option.placement.title}." if option
                  else "Your instructor has not given you a place yet: you are on the waitlist.")
    if published:
        row.status = (AssignmentStatus.ASSIGNED if option else AssignmentStatus.WAITLISTED).value
        if old_option is not None and old_option.id != row.option_id:
            teams.leave(session, placement=old_option.placement, person=person)
        if option is not None:
            take_up(session, option, person)
    else:
        row.status = AssignmentStatus.PROPOSED.value
    session.flush()
    if published and option is not None:
        student_notices.tell_assigned(session, choice_set=choice_set, row=row, person=person)
    return row


def take_up(session: Session, option: ChoiceOption, person: Person) -> None:
    """The student becomes a learner of the option's placement, which grades into the activity's column."""
    ensure_participation(session, placement=option.placement, person=person)
    anchor = option.choice_set.placement
    if anchor.line_item_url and not option.placement.line_item_url:
        option.placement.line_item_url = anchor.line_item_url


@dataclass(frozen=True)
class Published:
    assigned: int
    waitlisted: int
    emails: int


def publish(session: Session, *, choice_set: ChoiceSet, by_person_id: int | None) -> Published:
    """Publish the previewed assignment: students get their places, employers are told."""
    if choice_set.state != SetState.PREVIEWED.value:
        raise UserFacingError(
            "Preview the assignment before publishing it." if choice_set.state == SetState.OPEN.value
            else "This assignment is already published.",
            title="Nothing to publish", status=409,
        )
    rows = list(assignments(session, choice_set_id=choice_set.id).values())
    _recheck_capacity(session, choice_set, rows)
    people = {
        p.id: p for p in session.scalars(select(Person).where(Person.id.in_([r.person_id for r in rows])))
    }
    options = {o.id: o for o in choice_set.options}
    placed: dict[int, list[Person]] = {}
    for row in rows:
        if row.option_id is None:
            row.status = AssignmentStatus.WAITLISTED.value
            continue
        row.status = AssignmentStatus.ASSIGNED.value
        take_up(session, options[row.option_id], people[row.person_id])
        placed.setdefault(row.option_id, []).append(people[row.person_id])
    for option_id, group in placed.items():
        option = options[option_id]
        if teams.uses_teams(option.placement):
            teams.auto_form(session, placement=option.placement, learners=group)
    choice_set.state = SetState.PUBLISHED.value
    choice_set.published_at = utcnow()
    choice_set.published_by_person_id = by_person_id
    emails = _tell_employers(session, choice_set, placed)
    session.flush()
    emails += student_notices.tell_published(session, choice_set=choice_set, rows=rows, people=people)
    waitlisted = sum(1 for r in rows if r.option_id is None)
    return Published(assigned=len(rows) - waitlisted, waitlisted=waitlisted, emails=emails)


def _recheck_capacity(session: Session, choice_set: ChoiceSet, rows: list[ChoiceAssignment]) -> None:
    """Another course of the institution may have taken places since the preview."""
    seats = seat_counts.student_seats(session, choice_set=choice_set,
                                      revisions=revisions_of(session, choice_set))
    wanted: dict[int, int] = {}
    for row in rows:
        if row.option_id is not None:
            wanted[row.option_id] = wanted.get(row.option_id, 0) + 1
    for option in choice_set.options:
        if wanted.get(option.id, 0) > seats[option.id]:
            raise UserFacingError(
                f"{option.placement.title} now has only {seats[option.id]} place(s) for this course "
                f"(another course of your institution took some since your preview).",
                title="Places changed", hint="Preview the assignment again, then publish.", status=409,
            )


def _tell_employers(session: Session, choice_set: ChoiceSet, placed: Mapping[int, list[Person]]) -> int:
    """One email per employer member per project: how many students, never who (no consent yet)."""
    sent = 0
    course = choice_set.placement.course.display_title()
    revisions = revisions_of(session, choice_set)
    for option_id, group in placed.items():
        revision = revisions[option_id]
        members = session.scalars(
            select(EmployerMember).where(EmployerMember.employer_id == revision.project.employer_id)
        ).all()
        for member in members:
            sent += notices.notify(
                session, to=member.email, kind="students_assigned",
                institution_id=institution_of(session, choice_set.placement),
                subject=f"{len(group)} student{'s' if len(group) != 1 else ''} will work on {revision.title}",
                body=(
                    f"Hello,\n\n{len(group)} student{'s' if len(group) != 1 else ''} of the course "
                    f"\"{course}\" {'were' if len(group) != 1 else 'was'} assigned to your project "
                    f"\"{revision.title}\" ({revision.window_start.isoformat()} to "
                    f"{revision.window_end.isoformat()}).\n\nYou will see their work in your Microbridge "
                    "review inbox when they submit. Students are shown by name only if they consent "
                    f"to share it with you:\n{notices.absolute('/employer/reviews/')}\n"
                ),
                reason=f"you offer “{revision.title}” on Microbridge.",
            ) is not None
    return sent
