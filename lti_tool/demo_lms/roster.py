"""Courses, people and enrolments, with ids shaped like each LMS's."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .model import ROLES, STATUSES, Course, Enrolment, User

if TYPE_CHECKING:
    from .platform import Platform


def add_course(
    platform: Platform,
    *,
    title: str = "Career Readiness 101",
    label: str | None = None,
    context_id: str | None = None,
) -> Course:
    """Create a course; Canvas context ids are opaque hashes, Moodle's are the course id."""
    with platform.lock:
        state = platform.state
        course_id = str(state.next_id("course", start=1 if platform.is_canvas else 2))
        if context_id is None:
            context_id = _opaque_hash() if platform.is_canvas else course_id
        course = Course(course_id, context_id, label or f"C{course_id}", title)
        state.courses[course_id] = course
        return course


def add_user(
    platform: Platform,
    given_name: str,
    family_name: str,
    *,
    email: str | None = None,
    user_id: str | None = None,
    is_admin: bool = False,
    locale: str = "en",
    timezone: str = "",
) -> User:
    """Create a person; `sub` is a UUID on Canvas and the numeric user id on Moodle."""
    with platform.lock:
        numeric = str(platform.state.next_id("user", start=1 if platform.is_canvas else 2))
        if user_id is None:
            user_id = str(uuid.uuid4()) if platform.is_canvas else numeric
        email = email or f"{given_name}.{family_name}@example.edu".lower().replace(" ", "")
        user = User(user_id, numeric, given_name, family_name, email, is_admin, locale, timezone)
        platform.state.users[user_id] = user
        return user


def enrol(
    platform: Platform,
    course: Course | str,
    user: User | str,
    roles: str | Sequence[str] = "Learner",
    *,
    status: str = "Active",
) -> Enrolment:
    """Give a user roles (short names such as "Learner") in a course."""
    role_list = [roles] if isinstance(roles, str) else list(roles)
    unknown = [role for role in role_list if role not in ROLES]
    if unknown or status not in STATUSES:
        raise ValueError(f"unknown role or status: {unknown or status}")
    with platform.lock:
        the_course, the_user = platform.get_course(course), platform.get_user(user)
        enrolment = Enrolment(the_user.user_id, role_list, status)
        the_course.members[the_user.user_id] = enrolment
        return enrolment


def set_status(platform: Platform, course: Course | str, user: User | str, status: str) -> None:
    """Mark an enrolment Active, Inactive or Deleted."""
    if status not in STATUSES:
        raise ValueError(status)
    with platform.lock:
        user_id = platform.get_user(user).user_id
        platform.get_course(course).members[user_id].status = status


def add_members(platform: Platform, course: Course | str, n: int, *, role: str = "Learner") -> list[User]:
    """Enrol n generated people at once (big rosters for paging and benchmarks)."""
    with platform.lock:
        the_course = platform.get_course(course)
        start = len(the_course.members)
        users = []
        for i in range(start + 1, start + n + 1):
            user = add_user(platform, "Student", f"Number{i}", email=f"student{i}@example.edu")
            the_course.members[user.user_id] = Enrolment(user.user_id, [role])
            users.append(user)
        return users


def copy_course(platform: Platform, course: Course | str, *, title: str | None = None) -> Course:
    """Copy a course the way a new term does: new context and link ids, history kept."""
    with platform.lock:
        source = platform.get_course(course)
        copy = add_course(platform, title=title or source.title, label=source.label)
        copy.context_history = [source.context_id, *source.context_history]
        for link in [ln for ln in platform.state.links.values() if ln.course_id == source.id]:
            platform.copy_resource_link(link, copy)
        return copy


def _opaque_hash() -> str:
    return hashlib.sha1(secrets.token_bytes(16), usedforsecurity=False).hexdigest()
