"""The disclosure log reads repeated views within an hour as one line with a count, and keeps
every row."""

from __future__ import annotations

from datetime import datetime, timedelta

from grading.consent.log_lines import grouped
from grading.consent.models import Disclosure

T0 = datetime(2026, 12, 6, 12, 0)


def _seen(minutes: int, *, action: str = "viewed submission attempt 1", viewer: int = 7,
          person: int = 1) -> Disclosure:
    return Disclosure(placement_id=1, person_id=person, employer_id=3, employer_name="Acme",
                      viewer_id=viewer, viewer_label=f"viewer{viewer}@acme.example",
                      action=action, identified=True, created_at=T0 + timedelta(minutes=minutes))


def test_repeats_within_an_hour_are_one_line_with_a_count() -> None:
    rows = [_seen(50), _seen(30), _seen(10), _seen(0)]  # newest first, as the log reads them
    [line] = grouped(rows)
    assert line.count == 4 and line.first_at == T0 and line.created_at == T0 + timedelta(minutes=50)
    assert line.viewer_label == "viewer7@acme.example"


def test_a_gap_of_more_than_an_hour_another_item_or_viewer_starts_a_new_line() -> None:
    rows = [_seen(200), _seen(190, action="downloaded report.pdf"), _seen(180, viewer=8),
            _seen(170, person=2), _seen(130), _seen(0)]
    lines = grouped(rows)
    assert [ln.count for ln in lines] == [1, 1, 1, 1, 1, 1]
    assert grouped([_seen(61), _seen(0)])[0].count == 1
    assert grouped([_seen(60), _seen(0)])[0].count == 2


def test_interleaved_views_of_two_items_group_each_item() -> None:
    rows = [_seen(40), _seen(30, action="downloaded report.pdf"), _seen(20),
            _seen(10, action="downloaded report.pdf")]
    assert [(ln.action, ln.count) for ln in grouped(rows)] == [
        ("viewed submission attempt 1", 2), ("downloaded report.pdf", 2)]
