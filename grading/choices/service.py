"""Choice sets: placing several projects as one activity, reading the set, saving ranks.

The activity is the placement at the LMS link (its one gradebook column); each project is an
option placement of the same course without a link of its own (``ChoiceOption``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from catalog.matching.fit import Fit, ProjectFacts, StudentFacts, fit
from catalog.projects.models import Project, ProjectRevision
from config.web import NotFound, UserFacingError
from grading.choices.models import ChoiceOption, ChoiceRank, ChoiceSet, SetState
from grading.placements import service as placements
from grading.placements.models import Placement
from grading.placements.service import PlacementSettings

MIN_OPTIONS = 2
MAX_RANKS = 5


def create(
    session: Session,
    *,
    course_id: int,
    activity: PlacementSettings,
    choices: Sequence[tuple[ProjectRevision, PlacementSettings]],
    created_by_person_id: int | None,
) -> Placement:
    """Place the projects as one activity; returns the activity's placement (for the LMS)."""
    if len(choices) < MIN_OPTIONS:
        raise UserFacingError(
            f"A choice set needs at least {MIN_OPTIONS} projects to choose from.",
            title="Too few projects for a choice set",
            hint="Go back and tick more projects, or place this one project on its own.",
        )
    anchor = placements.create(
        session, course_id=course_id, project_revision_id=choices[0][0].id,
        settings=activity, created_by_person_id=created_by_person_id,
    )
    choice_set = ChoiceSet(placement_id=anchor.id)
    session.add(choice_set)
    session.flush()
    for position, (revision, chosen) in enumerate(choices):
        option = placements.create(
            session, course_id=course_id, project_revision_id=revision.id,
            settings=PlacementSettings(
                title=chosen.title or revision.title, score_maximum=activity.score_maximum,
                due_at=activity.due_at, team_size=chosen.team_size, release_mode=activity.release_mode,
            ),
            created_by_person_id=created_by_person_id,
        )
        session.add(ChoiceOption(choice_set_id=choice_set.id, placement_id=option.id, position=position))
    session.flush()
    return anchor


def set_at(session: Session, placement: Placement) -> ChoiceSet | None:
    """The choice set whose activity is this placement, if it is one."""
    return session.scalar(
        select(ChoiceSet).where(ChoiceSet.placement_id == placement.id)
        .options(selectinload(ChoiceSet.options).selectinload(ChoiceOption.placement))
    )


def share_line_item(session: Session, placement: Placement) -> bool:
    """Options grade into their activity's one column: copy its line item to them.

    True when something changed (the caller commits)."""
    if not placement.line_item_url:
        return False
    found = set_at(session, placement)
    changed = False
    for option in found.options if found else []:
        if option.placement.line_item_url != placement.line_item_url:
            option.placement.line_item_url = placement.line_item_url
            changed = True
    return changed


def in_course(session: Session, *, course_id: int) -> tuple[dict[int, int], set[int]]:
    """The course's choice activities (placement id -> number of projects) and its options'
    placement ids (listed under their activity, not on their own)."""
    activities: dict[int, int] = {}
    options: set[int] = set()
    rows = session.execute(
        select(ChoiceSet.placement_id, ChoiceOption.placement_id)
        .join(ChoiceOption, ChoiceOption.choice_set_id == ChoiceSet.id)
        .join(Placement, Placement.id == ChoiceSet.placement_id)
        .where(Placement.course_id == course_id)
    )
    for activity_id, option_id in rows:
        if activity_id == option_id:  # a single project taking applications: listed as itself
            continue
        activities[activity_id] = activities.get(activity_id, 0) + 1
        options.add(option_id)
    return activities, options


def option_at(session: Session, placement_id: int) -> ChoiceOption | None:
    """The option row, when this placement is one project of a choice set."""
    return session.scalar(select(ChoiceOption).where(ChoiceOption.placement_id == placement_id))


def the_set(session: Session, placement: Placement) -> ChoiceSet:
    found = set_at(session, placement)
    if found is None:
        raise NotFound("This activity is a single project, not a choice of projects.",
                       title="No choice here", hint="Open the project from your course instead.")
    return found


def option_in(choice_set: ChoiceSet, option_id: int) -> ChoiceOption:
    """An option of this set; any other id (another set's, another course's) is missing."""
    for option in choice_set.options:
        if option.id == option_id:
            return option
    raise NotFound("That project is not one of this activity's choices.", title="Not a choice here")


def revisions_of(session: Session, choice_set: ChoiceSet) -> dict[int, ProjectRevision]:
    """Each option's catalog revision, by option id, with project and employer loaded."""
    ids = [o.placement.project_revision_id for o in choice_set.options]
    found = {
        r.id: r for r in session.scalars(
            select(ProjectRevision).where(ProjectRevision.id.in_(ids))
            .options(selectinload(ProjectRevision.skills),
                     selectinload(ProjectRevision.project).selectinload(Project.employer))
        )
    }
    return {o.id: found[o.placement.project_revision_id] for o in choice_set.options}


def project_facts(revision: ProjectRevision) -> ProjectFacts:
    return ProjectFacts(
        skill_slugs=tuple(s.slug for s in revision.skills), discipline=revision.discipline,
        discipline_label=revision.discipline_label,
        text=" ".join((revision.title, revision.summary, revision.brief_md, revision.skills_text)),
        estimated_hours=revision.estimated_hours, starts=revision.window_start, ends=revision.window_end,
        skill_labels=tuple(s.label for s in revision.skills),
    )


# -- ranks -------------------------------------------------------------------------------


def ranks_of(session: Session, *, choice_set_id: int, person_id: int) -> list[int]:
    """The option ids the student ranked, first choice first."""
    return list(session.scalars(
        select(ChoiceRank.option_id)
        .where(ChoiceRank.choice_set_id == choice_set_id, ChoiceRank.person_id == person_id)
        .order_by(ChoiceRank.rank)
    ))


def all_ranks(session: Session, *, choice_set_id: int) -> dict[int, list[int]]:
    ranks: dict[int, list[int]] = {}
    for person_id, option_id in session.execute(
        select(ChoiceRank.person_id, ChoiceRank.option_id)
        .where(ChoiceRank.choice_set_id == choice_set_id).order_by(ChoiceRank.person_id, ChoiceRank.rank)
    ):
        ranks.setdefault(person_id, []).append(option_id)
    return ranks


def parse_ranks(choice_set: ChoiceSet, form: dict[str, str]) -> list[int]:
    """Read ``rank-<option id>`` = 1..N (blank: not ranked) into option ids, best first."""
    chosen: dict[int, int] = {}
    for option in choice_set.options:
        raw = form.get(f"rank-{option.id}", "").strip()
        if not raw:
            continue
        if not raw.isdigit() or not 1 <= int(raw) <= min(MAX_RANKS, len(choice_set.options)):
            raise UserFacingError(
                f"Ranks go from 1 (your first choice) to {min(MAX_RANKS, len(choice_set.options))}.",
                title="Check your ranking", hint="Leave a project blank if you would rather not do it.",
                status=422,
            )
        rank = int(raw)
        if rank in chosen.values():
            raise UserFacingError(
                f"You gave rank {rank} to two projects: give each rank to one project only.",
                title="Check your ranking", status=422,
            )
        chosen[option.id] = rank
    return [oid for oid, _ in sorted(chosen.items(), key=lambda item: item[1])]


def save_ranks(session: Session, *, choice_set: ChoiceSet, person_id: int, option_ids: list[int]) -> None:
    """Replace the student's ranking; closed once the assignment is published."""
    if choice_set.state == SetState.PUBLISHED.value:
        raise UserFacingError(
            "The assignment is already published, so ranks can no longer change.",
            title="Ranking closed", hint="Ask your instructor if you need to change project.",
            status=409,
        )
    known = {o.id for o in choice_set.options}
    if any(oid not in known for oid in option_ids):
        raise NotFound("That project is not one of this activity's choices.", title="Not a choice here")
    session.execute(delete(ChoiceRank).where(
        ChoiceRank.choice_set_id == choice_set.id, ChoiceRank.person_id == person_id
    ))
    for rank, option_id in enumerate(option_ids, start=1):
        session.add(ChoiceRank(choice_set_id=choice_set.id, person_id=person_id, option_id=option_id,
                               rank=rank))
    session.flush()


# -- the set as one student sees it --------------------------------------------------------


@dataclass(frozen=True)
class OptionView:
    option: ChoiceOption
    revision: ProjectRevision
    fit: Fit
    rank: int | None
    seats_left: int

    @property
    def employer_name(self) -> str:
        return self.revision.project.employer.name


def ranked_for(
    session: Session, *, choice_set: ChoiceSet, person_id: int, student: StudentFacts,
    seats_left: dict[int, int],
) -> list[OptionView]:
    """The options, best fit for this student first, each with its reason in words."""
    revisions = revisions_of(session, choice_set)
    ranks = ranks_of(session, choice_set_id=choice_set.id, person_id=person_id)
    views = [
        OptionView(
            option=option, revision=revisions[option.id],
            fit=fit(student, project_facts(revisions[option.id])),
            rank=ranks.index(option.id) + 1 if option.id in ranks else None,
            seats_left=seats_left.get(option.id, 0),
        )
        for option in choice_set.options
    ]
    views.sort(key=lambda v: (not (v.fit.fits_hours and v.fit.fits_dates), -v.fit.score, v.option.position))
    return views


# -- the instructor's limits -------------------------------------------------------------

MAX_SEATS = 1000


def parse_seat_limits(choice_set: ChoiceSet, form: dict[str, str]) -> dict[int, int | None]:
    """Read ``seats-<option id>``: a whole number, or blank for the project's own capacity."""
    limits: dict[int, int | None] = {}
    for option in choice_set.options:
        raw = form.get(f"seats-{option.id}", "").strip()
        if not raw:
            limits[option.id] = None
        elif raw.isdigit() and int(raw) <= MAX_SEATS:
            limits[option.id] = int(raw)
        else:
            raise UserFacingError(
                f"The limit for {option.placement.title} must be a whole number from 0 to {MAX_SEATS}, "
                "or blank for the project's own capacity.",
                title="Check the limits", hint="Nothing was changed.", status=422,
            )
    return limits


def set_seat_limits(choice_set: ChoiceSet, limits: dict[int, int | None], *, held: dict[int, int]) -> None:
    """Set the instructor's limits; after publishing, never below the places already given
    (``held``: students per option)."""
    for option in choice_set.options:
        limit = limits[option.id]
        taken = math.ceil(held.get(option.id, 0) / max(1, option.placement.team_size))
        if limit is not None and limit < taken:
            raise UserFacingError(
                f"{option.placement.title} already has {taken} place(s) given: its limit cannot go "
                "below that.", title="Check the limits",
                hint="Move students out of it by hand first. Nothing was changed.", status=409,
            )
    for option in choice_set.options:
        option.seats = limits[option.id]
