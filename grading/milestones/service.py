"""Milestones with short check-ins, and the hours students log against the estimate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.web import NotFound, UserFacingError
from grading.milestones.models import CheckIn, HoursEntry, Milestone
from grading.people.models import Person
from grading.placements.models import Placement

CHECK_IN_LIMIT = 2000
MAX_HOURS_A_DAY = Decimal("24")


def milestones(session: Session, *, placement_id: int) -> Sequence[Milestone]:
    return session.scalars(
        select(Milestone)
        .where(Milestone.placement_id == placement_id)
        .order_by(Milestone.position, Milestone.due_at, Milestone.id)
    ).all()


def add_milestone(
    session: Session, *, placement: Placement, title: str, due_at: datetime | None
) -> Milestone:
    title = " ".join(title.split())
    if not title:
        raise UserFacingError("Give the milestone a title.", title="Title missing")
    position = session.scalar(
        select(func.count()).select_from(Milestone).where(Milestone.placement_id == placement.id)
    ) or 0
    milestone = Milestone(placement_id=placement.id, title=title[:200], due_at=due_at,
                          position=position)
    session.add(milestone)
    session.flush()
    return milestone


def remove_milestone(session: Session, *, placement: Placement, milestone_id: int) -> None:
    session.delete(_milestone(session, placement_id=placement.id, milestone_id=milestone_id))
    session.flush()


def _milestone(session: Session, *, placement_id: int, milestone_id: int) -> Milestone:
    milestone = session.get(Milestone, milestone_id)
    if milestone is None or milestone.placement_id != placement_id:
        raise NotFound("There is no such milestone in this project.", title="Milestone not found")
    return milestone


def check_in(
    session: Session, *, placement: Placement, person: Person, milestone_id: int, text: str
) -> CheckIn:
    """Post (or rewrite) the learner's short check-in for one milestone."""
    milestone = _milestone(session, placement_id=placement.id, milestone_id=milestone_id)
    text = text.strip()
    if not text:
        raise UserFacingError("Write a few words about where you are.", title="Check-in empty")
    if len(text) > CHECK_IN_LIMIT:
        raise UserFacingError(f"A check-in is at most {CHECK_IN_LIMIT} characters.")
    row = session.scalar(
        select(CheckIn).where(CheckIn.milestone_id == milestone.id, CheckIn.person_id == person.id)
    )
    if row is None:
        row = CheckIn(milestone_id=milestone.id, person_id=person.id, text=text)
        session.add(row)
    else:
        row.text = text
    session.flush()
    return row


def check_ins(session: Session, *, placement_id: int) -> dict[tuple[int, int], CheckIn]:
    """Every check-in of a placement, keyed by (milestone id, person id)."""
    rows = session.scalars(
        select(CheckIn).join(Milestone, Milestone.id == CheckIn.milestone_id)
        .where(Milestone.placement_id == placement_id)
    )
    return {(row.milestone_id, row.person_id): row for row in rows}


def parse_hours(raw: str) -> Decimal:
    try:
        hours = Decimal(raw.strip().replace(",", "."))
    except InvalidOperation:
        raise UserFacingError("Hours must be a number such as 1.5.", title="Hours not understood") from None
    if not hours.is_finite() or hours <= 0 or hours > MAX_HOURS_A_DAY:
        raise UserFacingError("Hours must be more than 0 and at most 24 for one day.")
    return hours.quantize(Decimal("0.01"))


def log_hours(
    session: Session, *, placement: Placement, person: Person, day: date, hours: Decimal,
    note: str, today: date,
) -> HoursEntry:
    if day > today:
        raise UserFacingError("Hours can be logged for today or earlier, not for days to come.")
    if day < today - timedelta(days=366):
        raise UserFacingError("That day is more than a year ago.")
    logged = session.scalar(
        select(func.coalesce(func.sum(HoursEntry.hours), 0)).where(
            HoursEntry.placement_id == placement.id, HoursEntry.person_id == person.id,
            HoursEntry.day == day,
        )
    ) or Decimal(0)
    if Decimal(logged) + hours > MAX_HOURS_A_DAY:
        raise UserFacingError(f"That would make more than 24 hours on {day.isoformat()}.")
    entry = HoursEntry(placement_id=placement.id, person_id=person.id, day=day, hours=hours,
                       note=note.strip()[:500])
    session.add(entry)
    session.flush()
    return entry


def hours_for(session: Session, *, placement_id: int, person_id: int) -> Sequence[HoursEntry]:
    return session.scalars(
        select(HoursEntry)
        .where(HoursEntry.placement_id == placement_id, HoursEntry.person_id == person_id)
        .order_by(HoursEntry.day.desc(), HoursEntry.id.desc())
    ).all()


@dataclass(frozen=True)
class HoursTotal:
    person: Person
    hours: Decimal
    estimate: int

    @property
    def percent(self) -> int:
        return int(self.hours * 100 / self.estimate) if self.estimate else 0


def hours_totals(
    session: Session, *, placement_id: int, estimate: int, people: Sequence[Person]
) -> list[HoursTotal]:
    """Each learner's logged total against the project's estimated hours."""
    sums = dict(session.execute(
        select(HoursEntry.person_id, func.sum(HoursEntry.hours))
        .where(HoursEntry.placement_id == placement_id)
        .group_by(HoursEntry.person_id)
    ).all())
    return [HoursTotal(p, Decimal(sums.get(p.id) or 0), estimate) for p in people]
