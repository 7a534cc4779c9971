"""A person's time zone: due dates are typed and read in it, and stored in UTC.

The zone comes from the LMS where the launch names it ($Person.address.timezone, which Canvas
and Moodle both expand), otherwise from the browser (a hidden ``tz`` field filled by
static/js/timezone.js), otherwise UTC. Names are IANA names checked against zoneinfo, so a
forged or unknown name falls back to UTC rather than failing.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

INPUT_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends
MAX_NAME = 64


def zone_named(name: str | None) -> ZoneInfo | None:
    """The zone an IANA name stands for, or None when it is empty or unknown."""
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME or name.startswith(("/", ".")) or ".." in name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def zone_label(zone: tzinfo | None) -> str:
    """The name shown beside a time: "Europe/Berlin", or "UTC"."""
    return str(zone) if isinstance(zone, ZoneInfo) else "UTC"


def local_to_utc(local: datetime, zone: tzinfo | None) -> datetime:
    """The UTC moment a wall-clock time in ``zone`` names.

    In a DST gap (02:30 on a spring-forward night does not exist) the time is moved forward
    by the gap, as a clock would read it (03:30). In an overlap (02:30 happens twice in
    autumn) the first occurrence is meant: a deadline should not silently gain an hour.
    """
    naive = local.replace(tzinfo=None)
    if zone is None:
        return naive.replace(tzinfo=UTC)
    # PEP 495: fold=0 reads a gap's wall time with the offset from before the change, which
    # lands on the moment the clock shows an hour later; in an overlap it is the first one.
    return naive.replace(tzinfo=zone, fold=0).astimezone(UTC)


def parse_local(raw: str, zone: tzinfo | None) -> datetime:
    """A datetime-local value ("2026-05-01T17:00") read in ``zone``, as UTC; ValueError if malformed."""
    return local_to_utc(datetime.strptime(raw.strip()[:16], INPUT_FORMAT), zone)


def input_value(value: datetime | None, zone: tzinfo | None) -> str:
    """The datetime-local value showing a stored UTC moment in ``zone``."""
    if value is None:
        return ""
    return value.astimezone(zone or UTC).strftime(INPUT_FORMAT)


def shown(value: datetime, zone: tzinfo | None) -> str:
    """A moment as a person reads it: "6 Dec 2026, 14:00 (Europe/Berlin)" or "..., 14:00 UTC"."""
    local = value.astimezone(zone or UTC)
    text = f"{local.day} {local.strftime('%b %Y, %H:%M')}"
    return f"{text} ({zone_label(zone)})" if isinstance(zone, ZoneInfo) else f"{text} UTC"
