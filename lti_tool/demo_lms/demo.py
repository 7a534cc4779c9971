"""A seeded platform for `make demo`: one course, an instructor, three students, an admin."""

from __future__ import annotations

from .platform import Platform

STUDENTS = (("Ada", "Lovelace"), ("Alan", "Turing"), ("Katherine", "Johnson"))


def demo_platform(flavour: str, base_url: str) -> Platform:
    """A platform with the demo course and people (no tools: register one from /admin)."""
    platform = Platform(flavour, base_url=base_url)
    course = platform.add_course(title="Career Readiness 101", label="CR101")
    # Her LMS profile names a zone (sent as $Person.address.timezone); the students' do not,
    # so the tool falls back to their browsers' zones.
    teacher = platform.add_user("Grace", "Hopper", timezone="America/New_York")
    platform.enrol(course, teacher, "Instructor")
    for given, family in STUDENTS:
        platform.enrol(course, platform.add_user(given, family), "Learner")
    platform.add_user("Margaret", "Hamilton", is_admin=True)
    return platform
