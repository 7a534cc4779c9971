"""A single project placed on its own that requires an application.

It reuses the choice-set machinery whole: turning applications on makes the placement a
choice set of one, whose one option is the placement itself (``ChoiceSet.solo``). Students
apply with the same structured answer (and so rank its one project), the employer selects
blind at the same portal page, the instructor previews and publishes the same assignment
(employers' order first, else the fallback by fit), and the same waitlist fills freed
places. The work opens only to the students given a place (``grading.choices.access``).
Nothing commits here (the views do).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from catalog.matching.fit import fit
from catalog.projects.models import ProjectRevision
from config.web import UserFacingError
from grading.applications import rules, service
from grading.applications.models import Application, ApplicationCall, ApplicationStatus, Decision
from grading.choices import seats as seat_counts
from grading.choices.models import (
    AssignmentStatus,
    ChoiceAssignment,
    ChoiceOption,
    ChoiceRank,
    ChoiceSet,
    SetState,
)
from grading.choices.service import option_at, project_facts, set_at, set_seat_limits
from grading.choices.workload import workload
from grading.people.models import Person
from grading.placements.models import Placement
from grading.profiles.service import facts, profile_of

MAX_SEATS = 10_000


def solo_at(session: Session, placement: Placement) -> ChoiceSet | None:
    found = set_at(session, placement)
    return found if found is not None and found.solo else None


def parse_seats(raw: str) -> int | None:
    """Blank: the project's own capacity; else a whole number of places for this course."""
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > MAX_SEATS:
        raise UserFacingError(f"Places must be a whole number from 0 to {MAX_SEATS}, or blank for the "
                              "project's own capacity.", title="Check the places", status=422)
    return int(raw)


def turn_on(
    session: Session, *, placement: Placement, apply_by: date, select_by: date, seats: int | None,
) -> ChoiceSet:
    """The placement requires an application until ``apply_by``; the employer selects until
    ``select_by``; at most ``seats`` places for this course (None: the project's capacity)."""
    rules.check_deadlines(apply_by, select_by)
    found = set_at(session, placement)
    if found is not None and not found.solo:
        raise UserFacingError("This activity is a choice of projects: set applications per project on its "
                              "choice page.", title="A choice of projects", status=409)
    if found is None and option_at(session, placement.id) is not None:
        raise UserFacingError("This project is one of a choice of projects: set applications on the "
                              "activity's choice page.", title="A choice of projects", status=409)
    if found is None:
        found = ChoiceSet(placement_id=placement.id)
        found.options.append(ChoiceOption(placement_id=placement.id, position=0, seats=seats))
        session.add(found)
        session.flush()
    else:
        held = seat_counts.held(session, choice_set_id=found.id, statuses=(AssignmentStatus.ASSIGNED.value,))
        set_seat_limits(found, {found.options[0].id: seats}, held=held)
    service.require_applications(session, option=found.options[0], apply_by=apply_by, select_by=select_by)
    return found


def turn_off(session: Session, *, placement: Placement) -> None:
    """Back to a project every student gets, while nobody has applied or been placed."""
    found = solo_at(session, placement)
    if found is None:
        return
    option = found.options[0]
    if found.state == SetState.PUBLISHED.value or service.submitted(session, option.id):
        raise UserFacingError(
            "Students have applied or been given places already, so the project keeps its applications.",
            title="Applications stay on", status=409,
            hint="Change the deadlines or the number of places instead.",
        )
    session.execute(delete(Application).where(Application.option_id == option.id))
    session.execute(delete(ChoiceRank).where(ChoiceRank.choice_set_id == found.id))
    session.execute(delete(ChoiceAssignment).where(ChoiceAssignment.choice_set_id == found.id))
    session.execute(delete(ApplicationCall).where(ApplicationCall.option_id == option.id))
    session.delete(found)
    session.flush()


@dataclass(frozen=True)
class NextStep:
    """Where a student the employer did not take can turn next."""

    title: str | None
    """The best-fitting other open activity of the course, or None: ask the instructor."""
    words: str


def next_step(session: Session, *, placement: Placement, person: Person, today: date,
              now: datetime) -> NextStep:
    """The course's other open activities (linked, dates not over, not past due, applications
    not closed), the best fit for the student first; none: ask the instructor."""
    candidates = []
    for other in session.scalars(select(Placement).where(
            Placement.course_id == placement.course_id, Placement.id != placement.id,
            Placement.resource_link_id.is_not(None)).order_by(Placement.id)):
        if other.due_at is not None and other.due_at <= now:
            continue
        other_set = set_at(session, other)
        if other_set is not None and not other_set.solo:
            continue  # a choice of projects is ranked there, not offered as one project
        if other_set is not None:
            call = service.call_for(session, other_set.options[0].id)
            if call is not None and call.apply_by < today:
                continue
        revision = session.get(ProjectRevision, other.project_revision_id)
        if revision is None or revision.window_end < today:
            continue
        candidates.append((other, revision))
    if not candidates:
        return NextStep(None, "Ask your instructor which project you can work on instead: they can "
                              "place you on another one.")
    load = workload(session, person_id=person.id, today=today)
    student = facts(profile_of(session, person_id=person.id), hours_taken=load.total)
    scored = [(revision_fit.score, -n, other, revision_fit.reason)
              for n, (other, revision) in enumerate(candidates)
              for revision_fit in (fit(student, project_facts(revision)),)]
    score, _, best, why = max(scored, key=lambda item: (item[0], item[1]))
    if score > 0:
        return NextStep(best.title, f"“{best.title}” is open in your course and fits you: {why} "
                                    "Open it from your course.")
    return NextStep(best.title, f"“{best.title}” is still open in your course: open it from your course.")


def declined_words(title: str, step: NextStep) -> str:
    """Kind, and what the student can do next."""
    return (f"Thank you for applying to {title}. The employer chose other applicants this time; "
            f"that says nothing about your skills. {step.words}")


@dataclass(frozen=True)
class Standing:
    """Where the student stands on a single project that takes applications."""

    declined: bool
    waitlisted: bool
    assigned: bool


def standing(session: Session, *, choice_set: ChoiceSet, person_id: int) -> Standing:
    option = choice_set.options[0]
    row = service.application_of(session, option_id=option.id, person_id=person_id)
    declined = (row is not None and row.status == ApplicationStatus.SUBMITTED.value
                and row.decision == Decision.DECLINED.value)
    mine = session.scalar(select(ChoiceAssignment).where(
        ChoiceAssignment.choice_set_id == choice_set.id, ChoiceAssignment.person_id == person_id))
    published = choice_set.state == SetState.PUBLISHED.value
    assigned = published and mine is not None and mine.status == AssignmentStatus.ASSIGNED.value
    waitlisted = published and mine is not None and mine.status == AssignmentStatus.WAITLISTED.value
    applied = row is not None and row.status == ApplicationStatus.SUBMITTED.value
    # Only applicants wait for the places; the rest of the course never asked for this project.
    return Standing(declined=declined and not assigned,
                    waitlisted=waitlisted and applied and not declined, assigned=assigned)
