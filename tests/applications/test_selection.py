"""Applications with real rows through the matching the instructor previews: the employer's
blind choices become its ranking, declined students go to their next choice, an employer who
selects nobody leaves the project to fit, late applications are refused, and the employer
never reads a name before selecting a student who consented."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from config.web import UserFacingError
from grading.applications import rules
from grading.applications import service as applications
from grading.applications.models import Application
from grading.choices import after_publishing, assign
from grading.choices.models import ChoiceOption, ChoiceSet
from grading.consent.models import Disclosure
from grading.consent.service import give
from grading.people.models import Person
from tests.choices.harness import TODAY, ChoiceSchool
from tests.choices.test_rules import got, rank, student, the_set

ANSWER = rules.Answer("Survey design in a club poll", "I want to learn market research", 5)


def option(choice_set: ChoiceSet, title: str) -> ChoiceOption:
    return next(o for o in choice_set.options if o.placement.title == title)


def applying(
    db: Session, school: ChoiceSchool, title: str = "Brand survey",
) -> tuple[ChoiceSet, ChoiceOption]:
    choice_set = the_set(db, school.placement_id)
    survey = option(choice_set, title)
    applications.require_applications(db, option=survey, apply_by=TODAY, select_by=TODAY + timedelta(days=3))
    db.commit()
    return choice_set, survey


def apply(db: Session, survey: ChoiceOption, person: Person) -> Application:
    row = applications.submit(db, option=survey, person=person, answer=ANSWER, today=TODAY)
    db.commit()
    return row


def test_the_employer_picks_and_a_declined_student_gets_their_next_choice(
    chooser: ChoiceSchool, db: Session,
) -> None:
    choice_set, survey = applying(db, chooser)
    ana, ben = student(chooser, "Ana"), student(chooser, "Ben")
    for person in (ana, ben):
        rank(db, choice_set, person, "Brand survey", "Grant proposal")
        apply(db, survey, person)
    a_ana = applications.application_of(db, option_id=survey.id, person_id=ana.id)
    a_ben = applications.application_of(db, option_id=survey.id, person_id=ben.id)
    assert a_ana is not None and a_ben is not None
    decisions = [(a_ana.id, "declined", None), (a_ben.id, "accepted", None)]
    applications.decide(db, option=survey, decisions=decisions, today=TODAY)
    db.commit()
    for seed in (1, 2, 3):  # whatever the lottery, the employer's choice holds
        result = assign.preview(db, choice_set=the_set(db, chooser.placement_id), today=TODAY, seed=seed)
        db.commit()
        assert result.method == "stable"
        choice_set = the_set(db, chooser.placement_id)
        assert got(db, choice_set, ben).option_id == survey.id
        declined = got(db, choice_set, ana)
        assert declined.option is not None and declined.option.placement.title == "Grant proposal"
        assert declined.rank == 2
    notes = applications.declined_note(db, choice_set=choice_set, person_id=ana.id,
                                       open_titles=["Brand survey", "Grant proposal"])
    assert notes == [rules.declined_message("Brand survey", next_fit="Grant proposal")]


def test_an_employer_who_selects_nobody_leaves_the_place_to_fit(chooser: ChoiceSchool, db: Session) -> None:
    choice_set, survey = applying(db, chooser)
    ana = student(chooser, "Ana")
    rank(db, choice_set, ana, "Brand survey")
    apply(db, survey, ana)
    assert [o.id for o in applications.unselected(db, choice_set)] == [survey.id]
    assign.preview(db, choice_set=choice_set, today=TODAY, seed=4)
    db.commit()
    assert got(db, the_set(db, chooser.placement_id), ana).option_id == survey.id


def test_capacity_zero_takes_nobody_even_accepted(chooser: ChoiceSchool, db: Session) -> None:
    choice_set, survey = applying(db, chooser)
    survey.seats = 0
    ana = student(chooser, "Ana")
    rank(db, choice_set, ana, "Brand survey")
    row = apply(db, survey, ana)
    applications.decide(db, option=survey, decisions=[(row.id, "accepted", 1)], today=TODAY)
    db.commit()
    assign.preview(db, choice_set=the_set(db, chooser.placement_id), today=TODAY, seed=1)
    db.commit()
    assert got(db, the_set(db, chooser.placement_id), ana).option_id != survey.id


def test_late_applications_and_late_selections_are_refused_and_nothing_is_saved(
    chooser: ChoiceSchool, db: Session,
) -> None:
    _, survey = applying(db, chooser)
    ana = student(chooser, "Ana")
    with pytest.raises(UserFacingError, match="closed on"):
        applications.submit(db, option=survey, person=ana, answer=ANSWER, today=TODAY + timedelta(days=1))
    db.rollback()
    assert applications.application_of(db, option_id=survey.id, person_id=ana.id) is None
    row = apply(db, survey, ana)
    with pytest.raises(UserFacingError, match="selection deadline"):
        applications.decide(db, option=survey, decisions=[(row.id, "accepted", None)],
                            today=TODAY + timedelta(days=4))


def test_one_unknown_application_refuses_the_whole_decision_form(chooser: ChoiceSchool, db: Session) -> None:
    _, survey = applying(db, chooser)
    row = apply(db, survey, student(chooser, "Ana"))
    with pytest.raises(UserFacingError):
        decisions = [(row.id, "accepted", 1), (row.id + 999, "declined", None)]
        applications.decide(db, option=survey, decisions=decisions, today=TODAY)
    db.rollback()
    fresh = db.get(Application, row.id)
    assert fresh is not None and fresh.decision == "" and fresh.employer_rank is None


def test_an_employer_reads_a_name_only_after_selecting_a_student_who_consented(
    chooser: ChoiceSchool, db: Session,
) -> None:
    _, survey = applying(db, chooser)
    ana = student(chooser, "Ana")
    row = apply(db, survey, ana)
    employer = chooser.employers[0] if chooser.employers else None
    assert employer is not None

    def seen() -> str:
        shown = applications.applicants(db, option=survey, employer_id=employer.org.id,
                                        employer_name="Acme", viewer_id=None, viewer_label="Lee")
        db.commit()
        return shown[0].label

    assert seen().startswith("Student")  # neither selected nor consented
    give(db, placement=survey.placement, person=ana, records=[], signature="Ana Tester", today=TODAY)
    db.commit()
    assert "Ana" not in seen()  # consented, not selected
    assert db.scalars(select(Disclosure).where(Disclosure.person_id == ana.id)).all() == []
    applications.decide(db, option=survey, decisions=[(row.id, "accepted", None)], today=TODAY)
    db.commit()
    assert seen() == "Ana Tester"
    logged = db.scalars(select(Disclosure).where(Disclosure.person_id == ana.id)).all()
    assert [d.action for d in logged] == ["viewed applicants"] and logged[0].identified


def test_a_freed_place_goes_to_a_student_the_employer_took_never_to_one_it_declined(
    chooser: ChoiceSchool, db: Session,
) -> None:
    choice_set, survey = applying(db, chooser)  # Brand survey: one place
    ana, ben, cai = student(chooser, "Ana"), student(chooser, "Ben"), student(chooser, "Cai")
    rank(db, choice_set, ana, "Brand survey")
    rank(db, choice_set, cai, "Brand survey")  # Cai is first in line by rank...
    rows = {p.id: apply(db, survey, p) for p in (ana, ben, cai)}
    applications.decide(db, option=survey, today=TODAY, decisions=[
        (rows[ana.id].id, "accepted", 1), (rows[ben.id].id, "accepted", 2),
        (rows[cai.id].id, "declined", None),  # ...but the employer declined Cai
    ])
    db.commit()
    assign.preview(db, choice_set=the_set(db, chooser.placement_id), today=TODAY, seed=7)
    assign.publish(db, choice_set=the_set(db, chooser.placement_id), by_person_id=None)
    db.commit()
    choice_set = the_set(db, chooser.placement_id)
    assert got(db, choice_set, ana).option_id == survey.id
    for waiting in (ben, cai):  # arranged: both wait for a place
        row = got(db, choice_set, waiting)
        row.status, row.option_id = "waitlisted", None
    db.commit()
    after_publishing.withdraw(db, choice_set=the_set(db, chooser.placement_id), person=ana, today=TODAY)
    db.commit()
    choice_set = the_set(db, chooser.placement_id)
    assert got(db, choice_set, ben).option_id == survey.id
    assert got(db, choice_set, cai).status == "waitlisted"
