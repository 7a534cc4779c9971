"""A refused form shown again: what the person typed, and each error beside its field.

Validation that belongs to one field raises ``FieldError``; the view that owns the form
catches it and renders the same page with a ``FormState`` (the catalog picker's pattern:
an error summary linking to the fields, ``aria-describedby`` and ``aria-invalid`` on each).
A view that does not catch it still answers with the plain 4xx error page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from werkzeug.datastructures import MultiDict

from config.web import UserFacingError


class FieldError(UserFacingError):
    """Refused input, with the field (or fields) each message belongs to."""

    def __init__(self, errors: Mapping[str, str], *, title: str = "", status: int = 0) -> None:
        super().__init__(" ".join(errors.values()), title=title or "Please check the form",
                         hint="Correct what the form says and send it again.", status=status)
        self.errors = dict(errors)


@dataclass(frozen=True)
class FormState:
    """The values a form was sent with and what was wrong with them; empty for a fresh form."""

    values: MultiDict[str, str] = field(default_factory=MultiDict)
    errors: dict[str, str] = field(default_factory=dict)
    target: str = ""
    """Which of several forms on one page this is (a submission's id, say); "" for the only one."""

    @classmethod
    def refused(cls, sent: MultiDict[str, str], error: FieldError, *, target: object = "") -> FormState:
        return cls(MultiDict(sent), dict(error.errors), str(target))

    def for_(self, target: object) -> FormState:
        """This state if it belongs to ``target``'s form, else a fresh one."""
        return self if self.target == str(target) else FormState()

    def value(self, name: str, default: str = "") -> str:
        return self.values.get(name, default) if self.values else default

    def chosen(self, name: str) -> list[str]:
        return self.values.getlist(name)

    def error(self, name: str) -> str:
        return self.errors.get(name, "")

    @property
    def sent(self) -> bool:
        return bool(self.values)
