"""ISO 8601 parsing and clock helpers."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def parse_iso(value: object) -> datetime:
    """Parse an ISO 8601 timestamp; a value without an offset is taken as UTC."""
    if not isinstance(value, str) or "T" not in value:
        raise ValueError(f"not an ISO 8601 timestamp: {value!r}")
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def iso(value: datetime | None) -> str | None:
    """Format as ISO 8601 with milliseconds and Z, or None."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
