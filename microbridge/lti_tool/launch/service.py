"""What a validated launch records: the person, the course, and the launch data."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from microbridge.config.database import utcnow
from microbridge.config.store import KeyValueStore
from microbridge.config.web import LaunchIdentity, Roles
from microbridge.grading.people.models import Course, Person
from microbridge.lti_tool.launch import claims
from microbridge.lti_tool.launch.errors import LaunchRejected
from microbridge.lti_tool.launch.roles import map_roles
from microbridge.lti_tool.registry.models import Platform

T = TypeVar("T")

LAUNCH_DATA_TTL = 8 * 3600
NONCE_TTL = 2 * 3600


def consume_launch(store: KeyValueStore, *, state_key: str, issuer: str, nonce: str) -> None:
    """Use up the state and the nonce: whoever gets here second is a replay."""
    if store.take(state_key) is None:
        raise LaunchRejected(
            "state_reused",
            "This launch was already used. Each launch from the LMS works only once.",
            hint="Go back to your course and open the Microbridge link again.",
        )
    if not store.add(f"lti-nonce:{issuer}:{nonce}", "1", NONCE_TTL):
        raise LaunchRejected(
            "nonce_replayed",
            "This launch message was already used. Each launch from the LMS works only once.",
            hint="Go back to your course and open the Microbridge link again.",
        )


def record_launch(session: Session, *, platform: Platform, body: dict[str, Any]) -> LaunchIdentity:
    """Upsert the person and course; the caller commits, then calls ``keep_launch_data``."""
    message_type = str(body.get(claims.MESSAGE_TYPE, ""))
    roles = map_roles(_string_list(body.get(claims.ROLES)))
    context = body.get(claims.CONTEXT)
    if not isinstance(context, dict) or not context.get("id"):
        raise LaunchRejected(
            "no_context",
            "Microbridge works inside a course, and this link was opened outside of one.",
            hint="Add Microbridge to a course (as an assignment or module item) and open it "
            "from there.",
        )
    if message_type == claims.DEEP_LINKING_REQUEST and not (
        roles & {Roles.INSTRUCTOR, Roles.TEACHING_ASSISTANT, Roles.ADMINISTRATOR}
    ):
        raise LaunchRejected(
            "deep_linking_not_instructor",
            "Only instructors can add Microbridge projects to a course.",
            hint="If you teach this course, ask your LMS administrator to check your role.",
            status=403,
        )
    person = _upsert_person(session, platform=platform, body=body)
    course = _upsert_course(
        session,
        platform=platform,
        deployment_id=str(body[claims.DEPLOYMENT_ID]),
        context=context,
    )
    _remember_service_urls(course, body)
    launch_id = secrets.token_urlsafe(18)
    return LaunchIdentity(
        session_id=secrets.token_urlsafe(12),
        person_id=person.id,
        platform_id=platform.id,
        deployment_id=course.deployment_id,
        course_id=course.id,
        institution_id=platform.institution_id,
        roles=roles,
        launch_id=launch_id,
        message_type=message_type,
    )


def keep_launch_data(store: KeyValueStore, identity: LaunchIdentity, body: dict[str, Any]) -> None:
    store.put(f"lti-launch:{identity.launch_id}", json.dumps(body), LAUNCH_DATA_TTL)


def launch_data(store: KeyValueStore, launch_id: str) -> dict[str, Any] | None:
    raw = store.get(f"lti-launch:{launch_id}")
    return None if raw is None else dict(json.loads(raw))


def _string_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _upsert_person(session: Session, *, platform: Platform, body: dict[str, Any]) -> Person:
    sub = str(body.get("sub", ""))
    person = _find_or_insert(
        session,
        select(Person).where(Person.platform_id == platform.id, Person.sub == sub),
        lambda: Person(platform_id=platform.id, sub=sub),
    )
    # Only what the platform shares this time is updated: a privacy setting may hide PII.
    for field in ("name", "given_name", "family_name", "email"):
        value = body.get(field)
        if isinstance(value, str) and value:
            setattr(person, field, value[:320])
    person.last_seen_at = utcnow()
    return person


def _upsert_course(
    session: Session, *, platform: Platform, deployment_id: str, context: dict[str, Any]
) -> Course:
    context_id = str(context["id"])
    course = _find_or_insert(
        session,
        select(Course).where(Course.platform_id == platform.id, Course.context_id == context_id),
        lambda: Course(platform_id=platform.id, context_id=context_id, deployment_id=deployment_id),
    )
    course.label = str(context.get("label") or course.label)[:255]
    course.title = str(context.get("title") or course.title)[:500]
    course.deployment_id = deployment_id
    course.last_launch_at = utcnow()
    return course


def _remember_service_urls(course: Course, body: dict[str, Any]) -> None:
    ags = body.get(claims.AGS_ENDPOINT)
    if isinstance(ags, dict) and isinstance(ags.get("lineitems"), str):
        course.lineitems_url = ags["lineitems"][:1000]
    nrps = body.get(claims.NRPS)
    if isinstance(nrps, dict) and isinstance(nrps.get("context_memberships_url"), str):
        course.memberships_url = nrps["context_memberships_url"][:1000]


def _find_or_insert(session: Session, query: Select[T], make: Callable[[], T]) -> T:
    """Select, or insert in a savepoint; a concurrent first launch may insert it first."""
    found = session.scalar(query)
    if found is not None:
        return found
    try:
        with session.begin_nested():
            row = make()
            session.add(row)
        return row
    except IntegrityError:
        return session.execute(query).scalar_one()
