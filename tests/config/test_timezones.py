"""Due dates typed in a person's zone are stored in UTC and read back in it, across DST edges."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from config import timezones

BERLIN = timezones.zone_named("Europe/Berlin")
NEW_YORK = timezones.zone_named("America/New_York")


def test_a_winter_time_in_berlin_is_an_hour_ahead_of_utc() -> None:
    assert timezones.parse_local("2026-12-06T14:00", BERLIN) == datetime(2026, 12, 6, 13, 0, tzinfo=UTC)


def test_a_summer_time_in_new_york_is_four_hours_behind_utc() -> None:
    assert timezones.parse_local("2026-07-01T09:30", NEW_YORK) == datetime(2026, 7, 1, 13, 30, tzinfo=UTC)


def test_without_a_zone_the_time_is_utc() -> None:
    assert timezones.parse_local("2026-07-01T09:30", None) == datetime(2026, 7, 1, 9, 30, tzinfo=UTC)


def test_a_time_in_the_spring_gap_moves_forward_by_the_gap() -> None:
    # Berlin's clocks jump from 02:00 to 03:00 on 29 March 2026: 02:30 never happens.
    stored = timezones.parse_local("2026-03-29T02:30", BERLIN)
    assert stored == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert timezones.input_value(stored, BERLIN) == "2026-03-29T03:30"


def test_a_time_in_the_autumn_overlap_is_its_first_occurrence() -> None:
    # 02:30 on 25 October 2026 happens twice in Berlin (CEST, then CET): the earlier one counts.
    assert timezones.parse_local("2026-10-25T02:30", BERLIN) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_new_york_gap_and_overlap() -> None:
    assert timezones.parse_local("2026-03-08T02:15", NEW_YORK) == datetime(2026, 3, 8, 7, 15, tzinfo=UTC)
    assert timezones.parse_local("2026-11-01T01:30", NEW_YORK) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


def test_a_stored_moment_reads_back_as_typed() -> None:
    for typed in ("2026-01-15T23:59", "2026-06-30T00:00", "2026-10-25T01:59"):
        assert timezones.input_value(timezones.parse_local(typed, BERLIN), BERLIN) == typed


def test_shown_names_the_zone() -> None:
    moment = datetime(2026, 12, 6, 13, 0, tzinfo=UTC)
    assert timezones.shown(moment, BERLIN) == "6 Dec 2026, 14:00 (Europe/Berlin)"
    assert timezones.shown(moment, None) == "6 Dec 2026, 13:00 UTC"


@pytest.mark.parametrize("name", ["", "Mars/Olympus", "../../etc/passwd", "/etc/localtime",
                                  "$Person.address.timezone", "x" * 200])
def test_unknown_or_forged_zone_names_are_refused(name: str) -> None:
    assert timezones.zone_named(name) is None


def test_a_malformed_time_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        timezones.parse_local("soon", BERLIN)
