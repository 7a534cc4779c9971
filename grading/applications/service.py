"""Applications read and written: the student's answer, the employer's blind decisions, and
the employer's order that the matching reads. Nothing commits here (the views do)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.employers.models import EmployerMember
from catalog.projects.models import Project, ProjectRevision
from config import notices
from config.database import utcnow
from config.web import NotFound, UserFacingError
from grading.applications import rules
from grading.applications.models import Application, ApplicationCall, ApplicationStatus, Decision
from grading.choices.models import ChoiceOption, ChoiceSet, SetState
from grading.choices.service import save_ranks
from grading.consent.service import ensure_participation, log_disclosure, member_views, participation
from grading.people.models import Person
from grading.placements.catalog_project import project_info
from grading.placements.models import Placement
from grading.reviews.notices import institution_of


def call_for(session: Session, option_id: int) -> ApplicationCall | None:
    return session.scalar(select(ApplicationCall).where(ApplicationCall.option_id == option_id))


def calls_in(session: Session, choice_set: ChoiceSet) -> dict[int, ApplicationCall]:
    ids = [o.id for o in choice_set.options]
    if not ids:
        return {}
    return {c.option_id: c for c in session.scalars(
        select(ApplicationCall).where(ApplicationCall.option_id.in_(ids)))}


def require_applications(
    session: Session, *, option: ChoiceOption, apply_by: date, select_by: date,
) -> ApplicationCall:
    """The instructor's setting: this option takes applications until these days."""
    rules.check_deadlines(apply_by, select_by)
    call = call_for(session, option.id)
    if call is None:
        call = ApplicationCall(option_id=option.id, apply_by=apply_by, select_by=select_by)
        session.add(call)
    else:
        call.apply_by, call.select_by = apply_by, select_by
    session.flush()
    return call


def application_of(session: Session, *, option_id: int, person_id: int) -> Application | None:
    return session.scalar(select(Application).where(
        Application.option_id == option_id, Application.person_id == person_id))


def submit(
    session: Session, *, option: ChoiceOption, person: Person, answer: rules.Answer, today: date,
) -> Application:
    """Apply, or edit the answer, until the deadline. A withdrawn application comes back."""
    call = call_for(session, option.id)
    if call is None:
        raise NotFound("This project does not take applications.", title="No application needed")
    rules.check_open_to_apply(call.apply_by, today=today, title=option.placement.title)
    # The employer's pseudonym for the student on this project.
    ensure_participation(session, placement=option.placement, person=person)
    row = application_of(session, option_id=option.id, person_id=person.id)
    if row is None:
        row = Application(option_id=option.id, person_id=person.id)
        session.add(row)
    elif row.decision:
        raise UserFacingError("The employer has already decided on your application.",
                              title="Already decided", status=409)
    row.skills_used, row.motivation = answer.skills_used, answer.motivation
    row.hours_per_week = answer.hours_per_week
    row.status = ApplicationStatus.SUBMITTED.value
    session.flush()
    _rank_solo(session, option, person.id, applied=True)
    return row


def _rank_solo(session: Session, option: ChoiceOption, person_id: int, *, applied: bool) -> None:
    """On a single project, applying is choosing it: the matching reads the application as
    the student's one rank (until the assignment is published)."""
    choice_set = option.choice_set
    if choice_set.solo and choice_set.state != SetState.PUBLISHED.value:
        save_ranks(session, choice_set=choice_set, person_id=person_id,
                   option_ids=[option.id] if applied else [])


def withdraw(session: Session, *, option: ChoiceOption, person: Person) -> Application:
    row = application_of(session, option_id=option.id, person_id=person.id)
    if row is None or row.status != ApplicationStatus.SUBMITTED.value:
        raise NotFound("You have no application to this project.", title="Nothing to withdraw")
    row.status = ApplicationStatus.WITHDRAWN.value
    row.decision, row.employer_rank, row.decided_at = Decision.NONE.value, None, None
    session.flush()
    _rank_solo(session, option, person.id, applied=False)
    return row


def submitted(session: Session, option_id: int) -> list[Application]:
    return list(session.scalars(select(Application).where(
        Application.option_id == option_id,
        Application.status == ApplicationStatus.SUBMITTED.value,
    ).order_by(Application.created_at, Application.id)))


def employer_ranks(session: Session, choice_set: ChoiceSet) -> dict[int, list[int]]:
    """For the stable matching: by option id, the people the employer takes, best first.
    Options whose employer selected nobody are left out, so they are filled by fit."""
    ranks: dict[int, list[int]] = {}
    for option_id in calls_in(session, choice_set):
        order = rules.employer_order(
            rules.Verdict(a.person_id, True, a.decision, a.employer_rank, n)
            for n, a in enumerate(submitted(session, option_id))
        )
        if order is not None:
            ranks[option_id] = order
    return ranks


def unselected(session: Session, choice_set: ChoiceSet) -> list[ChoiceOption]:
    """Options that take applications where the employer has selected nobody (yet)."""
    chosen = employer_ranks(session, choice_set)
    calls = calls_in(session, choice_set)
    return [o for o in choice_set.options if o.id in calls and o.id not in chosen]


# -- the employer's blind view -------------------------------------------------------------


@dataclass(frozen=True)
class Applicant:
    application_id: int
    label: str
    identified: bool
    skills_used: str
    motivation: str
    hours_per_week: float
    decision: str
    employer_rank: int | None


def applicants(
    session: Session, *, option: ChoiceOption, employer_id: int, employer_name: str,
    viewer_id: int | None, viewer_label: str,
) -> list[Applicant]:
    """Every live application, under its pseudonym unless the employer accepted or ranked the
    student and the student consented to be named. Every name shown is logged as a disclosure."""
    rows = submitted(session, option.id)
    people = {p.id: p for p in session.scalars(
        select(Person).where(Person.id.in_([a.person_id for a in rows])))} if rows else {}
    views = member_views(session, pairs=[(option.placement, people[a.person_id]) for a in rows])
    shown: list[Applicant] = []
    named = []
    for a in rows:
        view = views[(option.placement_id, a.person_id)]
        selected = a.decision == Decision.ACCEPTED.value or a.employer_rank is not None
        identified = selected and view.identified
        pseudonym = view.label if not view.identified else _pseudonym(session, option, a.person_id)
        label = rules.employer_label(selected=selected, consented_name=view.identified,
                                     name=view.label, pseudonym=pseudonym)
        if identified:
            named.append(view)
        shown.append(Applicant(a.id, label, identified, a.skills_used, a.motivation,
                               a.hours_per_week, a.decision, a.employer_rank))
    if named:
        log_disclosure(session, placement=option.placement, members=named, employer_id=employer_id,
                       employer_name=employer_name, viewer_id=viewer_id, viewer_label=viewer_label,
                       action="viewed applicants")
    return shown


def _pseudonym(session: Session, option: ChoiceOption, person_id: int) -> str:
    part = participation(session, placement_id=option.placement_id, person_id=person_id)
    return part.pseudonym if part is not None else "A student"


def decide(
    session: Session, *, option: ChoiceOption, decisions: Sequence[tuple[int, str, int | None]],
    today: date,
) -> int:
    """Record the employer's decisions: (application id, accepted/declined/"", rank). All or
    nothing: an id that is not a live application of this option refuses the whole form."""
    call = call_for(session, option.id)
    if call is None:
        raise NotFound("This project does not take applications.", title="No applications")
    rules.check_open_to_select(call.select_by, today=today)
    live = {a.id: a for a in submitted(session, option.id)}
    for app_id, decision, _ in decisions:
        if app_id not in live:
            raise NotFound("That application is not one of this project's.", title="Unknown application")
        if decision not in {d.value for d in Decision}:
            raise UserFacingError("Choose accept or decline.", title="Check the decisions", status=422)
    for app_id, decision, rank in decisions:
        row = live[app_id]
        if decision == Decision.DECLINED.value:
            rank = None
        if (row.decision, row.employer_rank) != (decision, rank):
            row.decision, row.employer_rank, row.decided_at = decision, rank, utcnow()
    session.flush()
    return len(decisions)


# -- the student's side --------------------------------------------------------------------


def declined_note(session: Session, *, choice_set: ChoiceSet, person_id: int,
                  open_titles: Sequence[str]) -> list[str]:
    """Kind words for each of the student's declined applications, with the next fit offered."""
    ids = {o.id: o for o in choice_set.options}
    rows = list(session.scalars(select(Application).where(
        Application.person_id == person_id, Application.option_id.in_(list(ids)),
        Application.decision == Decision.DECLINED.value,
        Application.status == ApplicationStatus.SUBMITTED.value,
    )))
    notes = []
    for row in rows:
        title = ids[row.option_id].placement.title
        next_fit = next((t for t in open_titles if t != title), None)
        notes.append(rules.declined_message(title, next_fit=next_fit))
    return notes


# -- telling the employer ------------------------------------------------------------------


def tell_employer(session: Session, *, option: ChoiceOption, select_by: date) -> int:
    """Once per project: its employer's members hear that applications await their selection."""
    info = project_info(session, option.placement)
    if info.employer is None or not notices.once(session, f"applications_waiting:{option.id}"):
        return 0
    members = session.scalars(select(EmployerMember).where(EmployerMember.employer_id == info.employer.id))
    title = option.placement.title
    sent = 0
    for member in members:
        sent += notices.notify(
            session, to=member.email, kind="applications_waiting",
            institution_id=institution_of(session, option.placement),
            subject=f"Applications await your selection: {title}",
            body=(f"Hello,\n\nStudents have applied to your project \"{title}\". Their answers are "
                  "about skills and motivation only, under a pseudonym: accept, decline or rank them "
                  f"by {rules.in_words(select_by)}. After that day the instructor places students "
                  f"by fit.\n\n{notices.absolute(f'/employer/applications/{option.id}')}\n"),
            reason=f"you offer “{title}” on Microbridge.",
        ) is not None
    return sent


Listing = tuple[ChoiceOption, ApplicationCall, int]


def options_of_employer(session: Session, employer_id: int) -> list[Listing]:
    """The employer's projects that take applications, with how many live applications each has."""
    calls = (
        select(ApplicationCall)
        .join(ChoiceOption, ChoiceOption.id == ApplicationCall.option_id)
        .join(Placement, Placement.id == ChoiceOption.placement_id)
        .join(ProjectRevision, ProjectRevision.id == Placement.project_revision_id)
        .join(Project, Project.id == ProjectRevision.project_id)
        .where(Project.employer_id == employer_id)
        .order_by(ApplicationCall.select_by, ApplicationCall.id)
    )
    return [(call.option, call, len(submitted(session, call.option_id))) for call in session.scalars(calls)]
