"""Reading the review and moderation forms into plain values."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from config.forms import FieldError
from config.web import UserFacingError
from grading.reviews.service import ReviewInput

CRITERION_FIELD = "criterion-"
NOT_A_NUMBER = "The score must be a number such as 85 or 7.5."


def review_input(form: MultiDict[str, str]) -> ReviewInput:
    """The chosen level per criterion id, as sent; the review service checks them against the
    rubric (so the rubric is read once per request)."""
    levels: dict[int, int] = {}
    for name, raw in form.items():
        if not name.startswith(CRITERION_FIELD) or not raw:
            continue
        try:
            levels[int(name.removeprefix(CRITERION_FIELD))] = int(raw)
        except ValueError:
            raise UserFacingError("Choose one of the levels for each criterion.") from None
    recommend = {"yes": True, "no": False}.get(form.get("recommend", ""))
    return ReviewInput(
        levels=levels, feedback_md=form.get("feedback", ""),
        endorsed_skills=form.getlist("skills"), recommend=recommend,
    )


def score(raw: str, *, required: bool) -> float | None:
    text = raw.strip().replace(",", ".")
    if not text:
        if required:
            raise FieldError({"score": "Give a score."}, title="Score missing")
        return None
    try:
        value = float(text)
    except ValueError:
        raise FieldError({"score": NOT_A_NUMBER}) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise FieldError({"score": NOT_A_NUMBER})
    return value
