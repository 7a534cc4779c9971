"""The rules of applications as plain functions: what a valid answer is, when applying and
selecting are open, the employer's order that feeds the stable matching, and what the
employer may call each applicant."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from config.web import UserFacingError

MAX_ANSWER = 2000
MAX_HOURS = 60.0


@dataclass(frozen=True)
class Answer:
    skills_used: str
    motivation: str
    hours_per_week: float


def answer_from(form: dict[str, str]) -> Answer:
    """The student's answer from a form, or a clear 422 naming what is missing."""
    skills_used = (form.get("skills_used") or "").strip()
    motivation = (form.get("motivation") or "").strip()
    if not skills_used:
        raise UserFacingError("Say which of the project's skills you have used, and how.",
                              title="Your application is missing an answer", status=422)
    if not motivation:
        raise UserFacingError("Say why you want this project.",
                              title="Your application is missing an answer", status=422)
    if len(skills_used) > MAX_ANSWER or len(motivation) > MAX_ANSWER:
        raise UserFacingError(f"Keep each answer under {MAX_ANSWER} characters.",
                              title="Your application is too long", status=422)
    raw = (form.get("hours_per_week") or "").strip()
    try:
        hours = float(raw)
    except ValueError:
        hours = -1.0
    if not 0 < hours <= MAX_HOURS:
        raise UserFacingError(f"Give the hours a week you can put in, a number from 1 to {int(MAX_HOURS)}.",
                              title="Hours a week are needed", status=422)
    return Answer(skills_used, motivation, hours)


def in_words(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def check_open_to_apply(apply_by: date, *, today: date, title: str) -> None:
    """Applications close at the end of ``apply_by``; after it, a clear 409."""
    if today > apply_by:
        raise UserFacingError(
            f"Applications for {title} closed on {in_words(apply_by)}.",
            title="Applications are closed", status=409,
            hint="You can still rank the other projects; your instructor can place you by fit.",
        )


def check_open_to_select(select_by: date, *, today: date) -> None:
    if today > select_by:
        raise UserFacingError(
            f"The selection deadline was {in_words(select_by)}; the instructor now places the "
            "students by fit.", title="Selection is closed", status=409,
        )


def check_deadlines(apply_by: date, select_by: date) -> None:
    if select_by < apply_by:
        raise UserFacingError("The employer's selection deadline cannot come before applications close.",
                              title="Check the dates", status=422)


@dataclass(frozen=True)
class Verdict:
    """One application as the matching reads it."""

    person_id: int
    submitted: bool
    decision: str
    """"", "accepted" or "declined"."""
    employer_rank: int | None
    order: int
    """Ties between unranked accepted applicants: the order they applied in."""


def employer_order(verdicts: Iterable[Verdict]) -> list[int] | None:
    """Who the employer takes, best first: ranked applicants by rank, then accepted unranked
    ones in the order they applied; declined and withdrawn never. None when the employer has
    selected nobody, so the project is filled by fit (the instructor's fallback)."""
    live = [v for v in verdicts if v.submitted and v.decision != "declined"]
    ranked = sorted((v for v in live if v.employer_rank is not None),
                    key=lambda v: (v.employer_rank or 0, v.order))
    accepted = sorted((v for v in live if v.employer_rank is None and v.decision == "accepted"),
                      key=lambda v: v.order)
    chosen = [v.person_id for v in [*ranked, *accepted]]
    return chosen or None


def employer_label(*, selected: bool, consented_name: bool, name: str, pseudonym: str) -> str:
    """Blind until both: the employer selected the student and the student consented to be named."""
    return name if selected and consented_name else pseudonym


def declined_message(title: str, *, next_fit: str | None) -> str:
    """What a declined student reads on their page: kind, and what comes next."""
    offer = (f" {next_fit} still has places and fits you: rank it if you have not."
             if next_fit else " Your other choices still count, and your instructor places "
             "everyone who is left by fit.")
    return (f"Thank you for applying to {title}. The employer chose other applicants this time; "
            f"that says nothing about your skills.{offer}")


def parse_rank(raw: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= 10_000:
        raise UserFacingError("A rank is a whole number from 1 (your first pick).",
                              title="Check the ranks", status=422)
    return int(raw)
