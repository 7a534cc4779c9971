"""The disclosure log as people read it: repeated views of the same item by the same person
within an hour read as one line with a count. The table keeps every disclosure (99.32)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from grading.consent.models import Disclosure

WINDOW = timedelta(hours=1)


@dataclass
class DisclosureLine:
    latest: Disclosure
    """The newest disclosure of the group: who, what, shown how."""
    first_at: datetime
    count: int = 1

    def __getattr__(self, name: str) -> object:
        # The templates read a line as they read a disclosure (viewer_label, action, person...).
        return getattr(self.latest, name)


def _same(a: Disclosure, b: Disclosure) -> bool:
    return (a.person_id, a.employer_id, a.viewer_id, a.viewer_label, a.action, a.identified) == (
        b.person_id, b.employer_id, b.viewer_id, b.viewer_label, b.action, b.identified)


def grouped(newest_first: Iterable[Disclosure]) -> list[DisclosureLine]:
    """Group newest-first disclosures: a row joins a line when it repeats that line's view and
    falls within an hour of the line's newest view."""
    lines: list[DisclosureLine] = []
    open_lines: list[DisclosureLine] = []
    for row in newest_first:
        line = next((ln for ln in open_lines if _same(ln.latest, row)
                     and ln.latest.created_at - row.created_at <= WINDOW), None)
        if line is None:
            line = DisclosureLine(latest=row, first_at=row.created_at)
            lines.append(line)
            open_lines.append(line)
        else:
            line.count += 1
            line.first_at = row.created_at
        open_lines = [ln for ln in open_lines if ln.latest.created_at - row.created_at <= WINDOW]
    return lines
