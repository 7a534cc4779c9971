"""Teams, where a placement's team size is above 1.

The instructor forms teams from the course roster (NRPS): split automatically (full teams of
the team size, or balanced so sizes differ by at most one) or by hand, sees who is not in a
team, and moves people. Students may also join an open team with room, or start one. A
learner is in at most one team per placement (a unique constraint, not just a check).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from config.web import NotFound, UserFacingError
from grading.consent.models import Participation
from grading.consent.service import ensure_participation
from grading.people.models import Course, Person
from grading.placements.models import ACTIVE, Placement, RosterMember
from grading.submissions.models import Submission
from grading.teams.models import Team, TeamMember


def uses_teams(placement: Placement) -> bool:
    return placement.team_size > 1


def teams(session: Session, *, placement_id: int) -> Sequence[Team]:
    return session.scalars(
        select(Team)
        .where(Team.placement_id == placement_id)
        .options(selectinload(Team.members).selectinload(TeamMember.person))
        .order_by(Team.id)
    ).all()


def team_of(session: Session, *, placement_id: int, person_id: int) -> Team | None:
    return session.scalar(
        select(Team)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(TeamMember.placement_id == placement_id, TeamMember.person_id == person_id)
        .options(selectinload(Team.members).selectinload(TeamMember.person))
    )


def _team(session: Session, *, placement_id: int, team_id: int) -> Team:
    team = session.get(Team, team_id)
    if team is None or team.placement_id != placement_id:
        raise NotFound("There is no such team in this project.", title="Team not found")
    return team


def _next_name(session: Session, placement_id: int) -> str:
    count = session.scalar(
        select(func.count()).select_from(Team).where(Team.placement_id == placement_id)
    ) or 0
    names = set(session.scalars(select(Team.name).where(Team.placement_id == placement_id)))
    number = count + 1
    while f"Team {number}" in names:
        number += 1
    return f"Team {number}"


def create_team(session: Session, *, placement: Placement, open_to_join: bool = True) -> Team:
    if not uses_teams(placement):
        raise UserFacingError("This project is done alone, not in teams.")
    team = Team(placement_id=placement.id, name=_next_name(session, placement.id), open=open_to_join)
    session.add(team)
    session.flush()
    return team


def _add(session: Session, *, placement: Placement, team: Team, person: Person) -> TeamMember:
    member = TeamMember(team_id=team.id, placement_id=placement.id, person_id=person.id)
    try:
        with session.begin_nested():
            session.add(member)
    except IntegrityError:
        raise UserFacingError(
            f"{person.display_name()} is already in a team for this project.", status=409
        ) from None
    ensure_participation(session, placement=placement, person=person)
    session.expire(team, ["members"])
    return member


def join(session: Session, *, placement: Placement, person: Person, team_id: int) -> Team:
    """A student joins an open team that has room (leaving no other team behind silently)."""
    team = _team(session, placement_id=placement.id, team_id=team_id)
    current = team_of(session, placement_id=placement.id, person_id=person.id)
    if current is not None:
        if current.id == team.id:
            return team
        raise UserFacingError("Leave your current team before joining another.", status=409)
    if not team.open:
        raise UserFacingError(f"{team.name} is not open for students to join.", status=403)
    if len(team.members) >= placement.team_size:
        raise UserFacingError(
            f"{team.name} is full ({placement.team_size} members).", status=409,
            hint="Join another team or start a new one.",
        )
    _add(session, placement=placement, team=team, person=person)
    return team


def start_team(session: Session, *, placement: Placement, person: Person) -> Team:
    """A student starts a new open team and is its first member."""
    if team_of(session, placement_id=placement.id, person_id=person.id) is not None:
        raise UserFacingError("You are already in a team for this project.", status=409)
    team = create_team(session, placement=placement)
    _add(session, placement=placement, team=team, person=person)
    return team


def leave(session: Session, *, placement: Placement, person: Person) -> None:
    """A student leaves their team; an empty team that never submitted is removed."""
    member = session.scalar(
        select(TeamMember).where(
            TeamMember.placement_id == placement.id, TeamMember.person_id == person.id
        )
    )
    if member is None:
        return
    team = member.team
    session.delete(member)
    session.flush()
    _drop_if_empty(session, team)


def _drop_if_empty(session: Session, team: Team) -> None:
    session.expire(team, ["members"])
    submitted = session.scalar(select(Submission.id).where(Submission.team_id == team.id).limit(1))
    if not team.members and submitted is None:
        session.delete(team)
        session.flush()


def move(session: Session, *, placement: Placement, person_id: int, team_id: int | None) -> None:
    """The instructor puts a learner in a team (None: takes them out of any team).

    Only a learner of this placement (see ``learner_of``), and only into a team with room: the
    team size binds the instructor as it binds students.
    """
    person = learner_of(session, placement=placement, person_id=person_id)
    target = _team(session, placement_id=placement.id, team_id=team_id) if team_id else None
    old = session.scalar(
        select(TeamMember).where(
            TeamMember.placement_id == placement.id, TeamMember.person_id == person.id
        )
    )
    if old is not None and target is not None and old.team_id == target.id:
        return
    if target is not None and len(target.members) >= placement.team_size:
        raise UserFacingError(
            f"{target.name} is full ({placement.team_size} members).", title="Team full",
            hint="Move someone out of it first, or raise the team size in the placement's settings.",
            status=409,
        )
    if old is not None:
        old_team = old.team
        session.delete(old)
        session.flush()
        _drop_if_empty(session, old_team)
    if target is not None:
        _add(session, placement=placement, team=target, person=person)


def learner_of(session: Session, *, placement: Placement, person_id: int) -> Person:
    """A person of this placement: on its course roster (NRPS) or taking part in it.

    Person ids are sequential and shared by every course, LMS and institution: any other id,
    however real, is answered as missing, so nobody is pulled into a course that is not theirs.
    """
    person = session.get(Person, person_id)
    course = session.get(Course, placement.course_id)
    if person is not None and course is not None and person.platform_id == course.platform_id:
        takes_part = session.scalar(select(Participation.id).where(
            Participation.placement_id == placement.id, Participation.person_id == person.id
        )) is not None
        if takes_part or any(member.active for member in session.scalars(select(RosterMember).where(
            RosterMember.placement_id == placement.id, RosterMember.user_sub == person.sub,
            RosterMember.is_learner,
        ))):
            return person
    raise NotFound("There is no such student in this project.", title="Student not found")


def auto_form(
    session: Session, *, placement: Placement, learners: Sequence[Person], balanced: bool = True
) -> list[Team]:
    """Put every learner who has no team into new teams.

    ``balanced``: as many teams as full teams would need, sizes differing by at most one;
    otherwise full teams of the team size and one smaller team for the rest.
    """
    if not uses_teams(placement):
        raise UserFacingError("This project is done alone, not in teams.")
    waiting = unassigned(session, placement=placement, learners=learners)
    if not waiting:
        return []
    size = placement.team_size
    count = math.ceil(len(waiting) / size)
    groups: list[list[Person]]
    if balanced:
        groups = [waiting[i::count] for i in range(count)]
    else:
        groups = [list(waiting[i:i + size]) for i in range(0, len(waiting), size)]
    made = []
    for group in groups:
        team = create_team(session, placement=placement, open_to_join=False)
        for person in group:
            _add(session, placement=placement, team=team, person=person)
        made.append(team)
    return made


def unassigned(session: Session, *, placement: Placement, learners: Sequence[Person]) -> list[Person]:
    taken = set(session.scalars(
        select(TeamMember.person_id).where(TeamMember.placement_id == placement.id)
    ))
    return sorted(
        (p for p in learners if p.id not in taken), key=lambda p: (p.display_name().lower(), p.id)
    )


def learners(session: Session, *, placement: Placement) -> list[Person]:
    """The course's learners: the NRPS roster cached for the placement, plus everyone taking part.

    Inactive or deleted members (NRPS status) are left out (LTI-NOTES pitfall 26). Only reads:
    refreshing the roster gives every active learner a Person row.
    """
    people: dict[int, Person] = {}
    course = session.get(Course, placement.course_id)
    if course is not None:
        for person in session.scalars(
            select(Person)
            .join(RosterMember, and_(RosterMember.user_sub == Person.sub,
                                     Person.platform_id == course.platform_id))
            .where(RosterMember.placement_id == placement.id, RosterMember.is_learner.is_(True),
                   RosterMember.status == ACTIVE)
            .order_by(RosterMember.position)
        ):
            people[person.id] = person
    for person in session.scalars(
        select(Person).join(Participation, Participation.person_id == Person.id)
        .where(Participation.placement_id == placement.id)
    ):
        people.setdefault(person.id, person)
    return sorted(people.values(), key=lambda p: (p.display_name().lower(), p.id))
