"""Demo catalog: employers, members, a curator, a credit officer and the institution's credit
policy, and 40 projects for one institution.

``microbridge demo`` calls ``seed_demo_catalog`` after it creates the demo institution. Most
projects are approved for the institution; a few wait in the curators' queue, one has changes
requested and one is still a draft, so every page has something to show. Seeding twice does
nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.actors import Actor, ActorKind
from catalog.credit_office import service as credit_office
from catalog.credit_office.models import Approver, CreditOfficerAccount, CreditPolicy
from catalog.curation import service as curation
from catalog.curation.models import CuratorAccount, Decision
from catalog.demo_projects import EMPLOYERS, PROJECTS, DemoProject
from catalog.employers import service as employers
from catalog.employers.models import EmployerMember, EmployerOrg
from catalog.institutions.models import Institution
from catalog.projects import service as projects
from catalog.projects.content import CriterionInput, LevelInput, ProjectContent
from catalog.projects.guardrails import DEFAULT_POLICY, PayPolicy
from catalog.skills.service import normalise_all
from config import notices

# Positions in PROJECTS left in other states, so the queue and the history have content.
IN_REVIEW = (5, 12, 27)
CHANGES_REQUESTED = 20
DRAFT = 33


@dataclass
class DemoCatalog:
    """What was seeded, for the demo command to print."""

    curator_email: str
    credit_officer_email: str = ""
    employer_emails: list[str] = field(default_factory=list)
    published: int = 0
    in_review: int = 0
    created: bool = True


RUBRICS: dict[str, tuple[tuple[str, str], ...]] = {
    "data": (("Analysis", "Sound methods, checked assumptions, honest uncertainty."),
             ("Clarity", "Charts and words a non-specialist can follow."),
             ("Usefulness", "Findings the organisation can act on.")),
    "business": (("Research", "Evidence gathered from the right sources."),
                 ("Reasoning", "Numbers and recommendations follow from the evidence."),
                 ("Communication", "Clear, concise, ready for decision-makers.")),
    "design": (("Research", "Grounded in what real users said and did."),
               ("Craft", "Visual and interaction quality, accessibility included."),
               ("Communication", "Design decisions explained.")),
    "communications": (("Message", "The right message for the audience."),
                       ("Writing and production", "Accurate, plain, polished."),
                       ("Reach", "A realistic plan to get it seen.")),
    "engineering": (("Function", "It works on the cases that matter."),
                    ("Quality", "Tested, documented, maintainable."),
                    ("Judgement", "Trade-offs and limits stated.")),
    "social_science": (("Method", "Ethical, appropriate and well executed."),
                       ("Analysis", "Conclusions grounded in the evidence."),
                       ("Reporting", "Clear writing that respects participants.")),
}
LEVELS = (("Excellent", 10, "Exceeds what we would expect from a junior professional."),
          ("Good", 7, "Solid work we can use with light edits."),
          ("Developing", 4, "Useful in parts; needs significant revision."),
          ("Missing", 0, "Not attempted or not usable."))


def seed_demo_catalog(session: Session, institution: Institution) -> DemoCatalog:
    """Create the demo employers, projects and a curator account for ``institution``."""
    curator_email = f"curator@{institution.slug}.example"
    summary = DemoCatalog(curator_email=curator_email,
                          credit_officer_email=f"registrar@{institution.slug}.example",
                          employer_emails=[e.contact for e in EMPLOYERS])
    _credit_office(session, institution, summary.credit_officer_email)
    if session.scalar(select(EmployerMember.id).where(
            EmployerMember.email == EMPLOYERS[0].contact)) is not None:
        summary.created = False
        return summary
    members = _employers(session)
    curator = _curator(session, institution, curator_email)
    today = date.today()
    for index, demo in enumerate(PROJECTS):
        member = members[demo.employer]
        project = projects.create(session, actor=employers.actor_for(member),
                                  content=content_for(demo, index, today))
        if index == DRAFT:
            continue
        projects.submit(session, actor=employers.actor_for(member), project_id=project.id,
                        institution_ids=[institution.id], policy=DEFAULT_POLICY)
        if index in IN_REVIEW:
            summary.in_review += 1
            continue
        decision = Decision.CHANGES_REQUESTED if index == CHANGES_REQUESTED else (
            Decision.APPROVED)
        note = ("Please say how students will get the data, and who supervises them."
                if decision == Decision.CHANGES_REQUESTED else "")
        curation.decide(session, actor=curator, project_id=project.id, decision=decision,
                        note=note, policy=DEFAULT_POLICY,
                        project_link=lambda pid: notices.absolute(f"/employer/projects/{pid}"))
        summary.published += decision == Decision.APPROVED
    session.flush()
    return summary


def _credit_office(session: Session, institution: Institution, email: str) -> None:
    """The institution's credit policy (instructor, then a credit officer) and its officer."""
    if session.scalar(select(CreditPolicy.id).where(CreditPolicy.institution_id == institution.id)) is None:
        session.add(CreditPolicy(institution_id=institution.id, hours_per_credit=45,
                                 minimum_grade_percent=60, reflection_required=True,
                                 approver=Approver.INSTRUCTOR_THEN_OFFICER.value,
                                 updated_by="microbridge demo"))
    if session.scalar(select(CreditOfficerAccount.id).where(CreditOfficerAccount.email == email)) is None:
        credit_office.create_account(session, institution_id=institution.id, email=email,
                                     name="Demo credit officer", invited_by="microbridge demo")
    session.flush()


def _employers(session: Session) -> dict[str, EmployerMember]:
    members = {}
    for demo in EMPLOYERS:
        note = ""
        if employers.domain_matches_website(demo.contact, demo.website):
            note = f"Email domain matches website {employers.website_host(demo.website)}"
        org: EmployerOrg = employers.create_org(session, name=demo.name, website=demo.website,
                                                about=demo.about, verified_note=note)
        members[demo.key] = employers.add_member(
            session, employer=org, email=demo.contact, name=f"{demo.name} team")
    return members


def _curator(session: Session, institution: Institution, email: str) -> Actor:
    account = session.scalar(select(CuratorAccount).where(CuratorAccount.email == email))
    if account is None:
        account = curation.create_account(session, institution_id=institution.id, email=email,
                                          name="Demo curator", invited_by="microbridge demo")
    return Actor(kind=ActorKind.CURATOR, label=account.email, id=account.id,
                 institution_id=institution.id)


def content_for(demo: DemoProject, index: int, today: date,
                policy: PayPolicy = DEFAULT_POLICY) -> ProjectContent:
    """The validated content of one demo project, its window placed around ``today``."""
    start = today + timedelta(days=(index % 6) * 7 - 14)
    brief = (f"## About us\n\n{demo.context}\n\n## The task\n\n{demo.task}\n\n"
             "## What good looks like\n\n" + "\n".join(f"- {g}" for g in demo.good)
             + "\n\nA staff member meets the student or team for 30 minutes each week.")
    paid = demo.pay == "paid"
    amount = (Decimal(demo.rate * demo.hours) if paid
              else Decimal(demo.rate) if demo.pay == "stipend" else None)
    return ProjectContent(
        title=demo.title, summary=demo.summary, brief_md=brief, deliverables=demo.deliverables,
        skills=tuple(normalise_all(demo.skills)), discipline=demo.discipline,
        estimated_hours=demo.hours, work_mode=demo.mode, location=demo.location,
        compensation_type=demo.pay, pay_amount=amount,
        pay_currency="USD" if amount is not None else "",
        course_tied=demo.pay == "unpaid", credit_bearing=demo.pay == "unpaid",
        time_boxed=demo.pay == "unpaid", team_size=demo.team, capacity=demo.capacity,
        window_start=start, window_end=start + timedelta(days=70 + (index % 3) * 14),
        rubric=tuple(
            CriterionInput(title=title, description=description,
                           levels=tuple(LevelInput(label, points, text)
                                        for label, points, text in LEVELS))
            for title, description in RUBRICS[demo.discipline]
        ),
    )
