"""The registrar's export: approved credits of one institution, by approval date, as CSV.

A student whose launches never carried ``lis.person_sourcedid`` has a blank SIS id, and the
row says so (the registrar matches them by name and course instead). Every text cell goes
through the spreadsheet guard (config/spreadsheets.py), as the learner CSV does.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.employers.models import EmployerOrg
from catalog.projects.models import Project, ProjectRevision
from config.spreadsheets import safe_cell
from config.web import UserFacingError
from grading.credit.models import CreditRecord, CreditState
from grading.credit.rules import number
from grading.people.models import Course, Person
from grading.placements.models import Placement

COLUMNS = ("student_name", "sis_id", "sis_id_note", "course", "project", "employer", "credits",
           "verified_hours", "grade_percent", "approved_on", "approver")
NO_SIS_ID = "blank: the LMS did not share an SIS id (lis.person_sourcedid) at launch"
MAX_RANGE = timedelta(days=3 * 366)


@dataclass(frozen=True)
class Period:
    """Approval dates from ``start`` to ``end``, both included."""

    start: date
    end: date

    @classmethod
    def parse(cls, raw_start: str, raw_end: str, *, today: date) -> Period:
        """The form's dates; the last 12 months when left empty."""
        try:
            end = date.fromisoformat(raw_end) if raw_end.strip() else today
            start = date.fromisoformat(raw_start) if raw_start.strip() else end - timedelta(days=365)
        except ValueError:
            raise UserFacingError("Give the dates as 2026-01-15.", title="Dates not understood") from None
        if start > end:
            raise UserFacingError("The start date is after the end date.", title="Dates reversed")
        if end - start > MAX_RANGE:
            raise UserFacingError("Export at most three years at a time.", title="Range too long")
        return cls(start, end)

    def bounds(self) -> tuple[datetime, datetime]:
        return (datetime.combine(self.start, time.min, tzinfo=UTC),
                datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC))


@dataclass(frozen=True)
class Row:
    student_name: str
    sis_id: str
    course: str
    project: str
    employer: str
    credits: Decimal
    verified_hours: Decimal
    grade_percent: Decimal
    approved_at: datetime
    approver: str


def approved_credits(session: Session, *, institution_id: int, period: Period) -> list[Row]:
    """Every approved credit of the institution approved within the period, oldest first."""
    start, end = period.bounds()
    found = session.execute(
            select(CreditRecord, Person, Course, ProjectRevision, EmployerOrg)
            .join(Person, Person.id == CreditRecord.person_id)
            .join(Placement, Placement.id == CreditRecord.placement_id)
            .join(Course, Course.id == Placement.course_id)
            .join(ProjectRevision, ProjectRevision.id == Placement.project_revision_id)
            .join(Project, Project.id == ProjectRevision.project_id)
            .join(EmployerOrg, EmployerOrg.id == Project.employer_id)
            .where(CreditRecord.institution_id == institution_id,
                   CreditRecord.state == CreditState.APPROVED.value,
                   CreditRecord.approved_at >= start, CreditRecord.approved_at < end)
            .order_by(CreditRecord.approved_at, CreditRecord.id)
    ).all()
    return [Row(person.display_name(), person.sis_id, course.display_title(), revision.title,
                employer.name, record.credits, record.verified_hours, record.grade_percent,
                record.approved_at or start, record.approver_label)
            for record, person, course, revision, employer in found]


def to_csv(rows: Iterable[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow([
            safe_cell(r.student_name), safe_cell(r.sis_id), "" if r.sis_id else NO_SIS_ID,
            safe_cell(r.course), safe_cell(r.project), safe_cell(r.employer), number(r.credits),
            number(r.verified_hours), number(r.grade_percent), r.approved_at.date().isoformat(),
            safe_cell(r.approver),
        ])
    return out.getvalue()
