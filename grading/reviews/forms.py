"""Reading the review and moderation forms into plain values."""

from __future__ import annotations

from collections.abc import Sequence

from werkzeug.datastructures import MultiDict

from catalog.projects.models import RubricCriterion
from config.web import UserFacingError
from grading.reviews.service import ReviewInput


def review_input(form: MultiDict[str, str], criteria: Sequence[RubricCriterion]) -> ReviewInput:
    levels: dict[int, int] = {}
    for criterion in criteria:
        raw = form.get(f"criterion-{criterion.id}", "")
        if raw:
            try:
                levels[criterion.id] = int(raw)
            except ValueError:
                raise UserFacingError(f"Choose a level for “{criterion.title}”.") from None
    recommend = {"yes": True, "no": False}.get(form.get("recommend", ""))
    return ReviewInput(
        levels=levels, feedback_md=form.get("feedback", ""),
        endorsed_skills=form.getlist("skills"), recommend=recommend,
    )


def score(raw: str, *, required: bool) -> float | None:
    text = raw.strip().replace(",", ".")
    if not text:
        if required:
            raise UserFacingError("Give a score.", title="Score missing")
        return None
    try:
        value = float(text)
    except ValueError:
        raise UserFacingError("The score must be a number such as 85 or 7.5.") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise UserFacingError("The score must be a number such as 85 or 7.5.")
    return value
