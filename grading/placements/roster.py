"""The roster cached per placement: who is in the course, as the LMS's NRPS reports it.

Refreshed on request (the dashboard's button) through the Roster port; lti_tool implements it
over NRPS with paging. A refresh replaces the whole cached roster in one transaction, so the
dashboard never shows half of an old roster and half of a new one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from config.database import utcnow
from grading.people.models import Person
from grading.placements.models import ACTIVE, Placement, RosterMember
from grading.ports import Member, Roster

TEACHING_ROLES = frozenset({"Instructor", "TeachingAssistant", "Administrator", "ContentDeveloper"})


class RosterUnavailable(Exception):
    """The LMS did not give the roster now; the message says why, in its words."""


@dataclass(frozen=True)
class RosterSync:
    members: int
    learners: int


def is_learner(roles: Sequence[str]) -> bool:
    """A learner of the course, and nothing that teaches it (course roles by short name)."""
    return "Learner" in roles and not TEACHING_ROLES & set(roles)


FIRST_LOAD_CHANNEL = "roster"
"""Outbox channel (config/outbox.py) of first roster loads; the id queued is the placement's."""


def needs_first_load(placement: Placement) -> bool:
    """Never loaded and never refused: the first instructor visit loads it in the background."""
    return placement.roster_synced_at is None and not placement.roster_error


def sync(session: Session, *, placement: Placement, roster: Roster | None) -> RosterSync:
    """Fetch every member from the LMS and replace the placement's cached roster.

    Raises RosterUnavailable (and records why on the placement) when the LMS offers no
    roster service or does not answer; the cached roster is then left as it was.
    """
    course = placement.course
    if roster is None or not course.memberships_url:
        message = (
            "This LMS does not share the course roster with Microbridge (Names and Role "
            "Provisioning Services are off for this tool)."
        )
        placement.roster_error = message
        raise RosterUnavailable(message)
    try:
        members = _fetch(roster, placement, resource_link_id=placement.resource_link_id)
        if placement.resource_link_id and not any(is_learner(m.roles) for m in members):
            # Canvas lists no students for a link they cannot open yet (an unpublished
            # assignment): fall back to the course's members.
            members = _fetch(roster, placement, resource_link_id=None)
    except RosterUnavailable as error:
        placement.roster_error = str(error)[:2000]
        raise
    rows = _rows(placement.id, members)
    session.execute(delete(RosterMember).where(RosterMember.placement_id == placement.id))
    if rows:
        session.execute(insert(RosterMember), rows)
    _known_people(session, platform_id=placement.course.platform_id, rows=rows)
    placement.roster_synced_at = utcnow()
    placement.roster_error = ""
    session.flush()
    return RosterSync(members=len(rows), learners=sum(1 for r in rows if r["is_learner"]))


def _fetch(roster: Roster, placement: Placement, *, resource_link_id: str | None) -> list[Member]:
    course = placement.course
    return list(roster.members(platform_id=course.platform_id, memberships_url=course.memberships_url,
                               resource_link_id=resource_link_id))


def _rows(placement_id: int, members: Iterable[Member]) -> list[dict[str, Any]]:
    now = utcnow()
    rows: dict[str, dict[str, Any]] = {}
    for member in members:
        if not member.user_id or member.user_id in rows:
            continue  # a member repeated across pages is counted once
        roles = member.roles
        rows[member.user_id] = {
            "placement_id": placement_id,
            "user_sub": member.user_id[:255],
            "position": len(rows),
            "name": member.name[:200],
            "given_name": member.given_name[:200],
            "family_name": member.family_name[:200],
            "email": member.email[:320],
            "roles": " ".join(roles)[:500],
            "is_learner": is_learner(roles),
            "status": (member.status or "Active")[:20],
            "synced_at": now,
        }
    return list(rows.values())


def _known_people(session: Session, *, platform_id: int, rows: Sequence[dict[str, Any]]) -> None:
    """A Person for every active learner, so the instructor can put people who never launched
    into teams. Made here, on the refresh, so that reading a page never writes."""
    wanted = {row["user_sub"]: row for row in rows if row["is_learner"] and row["status"] == ACTIVE}
    if not wanted:
        return
    known = set(session.scalars(
        select(Person.sub).where(Person.platform_id == platform_id, Person.sub.in_(list(wanted)))
    ))
    for sub, row in wanted.items():
        if sub in known:
            continue
        try:
            with session.begin_nested():
                session.add(Person(platform_id=platform_id, sub=sub, name=row["name"],
                                   given_name=row["given_name"], family_name=row["family_name"],
                                   email=row["email"]))
        except IntegrityError:
            pass  # their first launch made the row meanwhile


def cached_counts(session: Session, *, placement_ids: list[int]) -> dict[int, int]:
    """Learners in each placement's cached roster, in one query (0 for none cached)."""
    if not placement_ids:
        return {}
    rows = session.execute(
        select(RosterMember.placement_id, func.count())
        .where(RosterMember.placement_id.in_(placement_ids), RosterMember.is_learner.is_(True))
        .group_by(RosterMember.placement_id)
    )
    counts = {placement_id: 0 for placement_id in placement_ids}
    counts.update({int(row[0]): int(row[1]) for row in rows})
    return counts
