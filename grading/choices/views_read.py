"""What the choice pages show, gathered for thin views (reads only)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from catalog.matching.fit import weekly_hours
from catalog.projects.models import ProjectRevision
from grading.choices import seats as seat_counts
from grading.choices.assign import assignments, learners
from grading.choices.models import (
    AssignmentStatus,
    ChoiceAssignment,
    ChoiceOption,
    ChoiceSet,
    Method,
    SetState,
)
from grading.choices.service import MAX_RANKS, OptionView, all_ranks, ranked_for, revisions_of
from grading.choices.workload import Workload, workload, workloads
from grading.people.models import Person
from grading.placements.models import Placement
from grading.profiles.models import StudentProfile
from grading.profiles.service import facts, profile_of


@dataclass(frozen=True)
class StudentPage:
    placement: Placement
    choice_set: ChoiceSet
    options: list[OptionView]
    assignment: ChoiceAssignment | None
    profile: StudentProfile | None
    workload: Workload
    max_rank: int

    @property
    def published(self) -> bool:
        return self.choice_set.state == SetState.PUBLISHED.value

    @property
    def ranked(self) -> list[OptionView]:
        return sorted((v for v in self.options if v.rank is not None), key=lambda v: v.rank or 0)

    @property
    def over_hours(self) -> list[OptionView]:
        """Ranked projects that need more hours a week than the student has left."""
        return [v for v in self.ranked if not v.fit.fits_hours]


def student_page(session: Session, *, choice_set: ChoiceSet, person: Person, today: date) -> StudentPage:
    profile = profile_of(session, person_id=person.id)
    load = workload(session, person_id=person.id, today=today)
    mine = assignments(session, choice_set_id=choice_set.id).get(person.id)
    if mine is not None and mine.status == AssignmentStatus.ASSIGNED.value:
        # This set's own project is part of the load already: fit reads the rest.
        own = mine.option.placement_id if mine.option else 0
        taken = sum(c.hours_per_week for c in load.commitments if c.placement_id != own)
    else:
        taken = load.total
    revisions = revisions_of(session, choice_set)
    held = seat_counts.held(session, choice_set_id=choice_set.id, statuses=(AssignmentStatus.ASSIGNED.value,))
    left = seat_counts.student_seats(session, choice_set=choice_set, revisions=revisions, held_here=held)
    views = ranked_for(session, choice_set=choice_set, person_id=person.id,
                       student=facts(profile, hours_taken=taken), seats_left=left)
    visible = mine if choice_set.state == SetState.PUBLISHED.value else None
    return StudentPage(choice_set.placement, choice_set, views, visible, profile, load,
                       min(MAX_RANKS, len(choice_set.options)))


@dataclass(frozen=True)
class OptionRow:
    option: ChoiceOption
    revision: ProjectRevision
    hours_per_week: float
    seats_left: int
    first_choices: int
    ranked_by: int
    taken: int


@dataclass(frozen=True)
class LearnerRow:
    person: Person
    ranks: list[str]
    assignment: ChoiceAssignment | None
    workload: Workload


@dataclass(frozen=True)
class ManagePage:
    choice_set: ChoiceSet
    options: list[OptionRow]
    learners: list[LearnerRow]
    choice_counts: dict[int, int]

    @property
    def state(self) -> str:
        return self.choice_set.state

    @property
    def method_label(self) -> str:
        return Method(self.choice_set.method).label if self.choice_set.method else ""

    @property
    def over_hours(self) -> list[LearnerRow]:
        return [row for row in self.learners if row.workload.over]

    def count(self, status: str) -> int:
        return sum(1 for row in self.learners if row.assignment and row.assignment.status == status)


def manage_page(session: Session, *, choice_set: ChoiceSet, today: date) -> ManagePage:
    revisions = revisions_of(session, choice_set)
    published = choice_set.state == SetState.PUBLISHED.value
    counted = (AssignmentStatus.ASSIGNED if published else AssignmentStatus.PROPOSED).value
    held = seat_counts.held(session, choice_set_id=choice_set.id, statuses=(counted,))
    left = seat_counts.student_seats(session, choice_set=choice_set, revisions=revisions, held_here=held)
    ranks = all_ranks(session, choice_set_id=choice_set.id)
    firsts = Counter(r[0] for r in ranks.values() if r)
    ranked_by = Counter(oid for r in ranks.values() for oid in r)
    options = [
        OptionRow(o, revisions[o.id],
                  weekly_hours(revisions[o.id].estimated_hours, revisions[o.id].window_start,
                               revisions[o.id].window_end),
                  left[o.id], firsts[o.id], ranked_by[o.id], held.get(o.id, 0))
        for o in choice_set.options
    ]
    titles = {o.id: o.placement.title for o in choice_set.options}
    people = learners(session, choice_set)
    rows = assignments(session, choice_set_id=choice_set.id)
    loads = workloads(session, person_ids=[p.id for p in people], today=today)
    learner_rows = [
        LearnerRow(p, [titles[oid] for oid in ranks.get(p.id, [])], rows.get(p.id), loads[p.id])
        for p in people
    ]
    holding = (AssignmentStatus.PROPOSED.value, AssignmentStatus.ASSIGNED.value)
    got = Counter(row.assignment.rank for row in learner_rows
                  if row.assignment and row.assignment.option_id and row.assignment.rank
                  and row.assignment.status in holding)
    return ManagePage(choice_set, options, learner_rows, dict(got))
