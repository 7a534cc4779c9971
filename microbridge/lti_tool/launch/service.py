"""What a validated launch records: the person, the course, and the launch data."""

from __future__ import annotations

import functools
import json
import secrets
from typing import Any

from sqlalchemy import TextClause, bindparam, text
from sqlalchemy.orm import Session

from microbridge.config.database import utcnow
from microbridge.config.store import KeyValueStore
from microbridge.config.web import LaunchIdentity, Roles
from microbridge.grading.people.models import Course, Person
from microbridge.lti_tool.deep_linking import settings as deep_linking_settings
from microbridge.lti_tool.launch import claims
from microbridge.lti_tool.launch.errors import LaunchRejected
from microbridge.lti_tool.launch.roles import map_roles

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


def record_launch(
    session: Session, *, platform_id: int, institution_id: int | None, body: dict[str, Any]
) -> LaunchIdentity:
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
    if message_type == claims.DEEP_LINKING_REQUEST:
        deep_linking_settings.read(body)  # refuses a request without usable settings (400)
    deployment_id = str(body[claims.DEPLOYMENT_ID])
    person_id = _upsert_person(session, platform_id=platform_id, body=body)
    course_id = _upsert_course(
        session, platform_id=platform_id, deployment_id=deployment_id, context=context, body=body
    )
    return LaunchIdentity(
        session_id=secrets.token_urlsafe(12),
        person_id=person_id,
        platform_id=platform_id,
        deployment_id=deployment_id,
        course_id=course_id,
        institution_id=institution_id,
        roles=roles,
        launch_id=secrets.token_urlsafe(18),
        message_type=message_type,
    )


def keep_launch_data(store: KeyValueStore, identity: LaunchIdentity, body: dict[str, Any]) -> None:
    store.put(f"lti-launch:{identity.launch_id}", json.dumps(body), LAUNCH_DATA_TTL)


def launch_data(store: KeyValueStore, launch_id: str) -> dict[str, Any] | None:
    raw = store.get(f"lti-launch:{launch_id}")
    return None if raw is None else dict(json.loads(raw))


def _string_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _upsert(
    session: Session,
    table: Any,
    *,
    keys: dict[str, Any],
    values: dict[str, Any],
    blanks: tuple[str, ...],
) -> int:
    """INSERT ... ON CONFLICT DO UPDATE ... RETURNING id: one round trip, safe under races.

    The same SQL runs on PostgreSQL and SQLite; statements are built once per column set,
    since building and cache-keying a fresh Insert costs more than the query itself.
    """
    empty = tuple(name for name in blanks if name not in values)
    statement = _upsert_statement(table, tuple(keys), tuple(values), empty)
    params = {**keys, **values, **dict.fromkeys(empty, ""), "created_at": utcnow()}
    return int(session.execute(statement, params).scalar_one())


@functools.lru_cache(maxsize=64)
def _upsert_statement(
    table: Any, keys: tuple[str, ...], values: tuple[str, ...], empty: tuple[str, ...]
) -> TextClause:
    # Columns in ``empty`` are set to "" on insert only: an update keeps what is there.
    columns = (*keys, *values, *empty, "created_at")
    updates = ", ".join(f"{name} = excluded.{name}" for name in values)
    # Only column names from our own table definitions are interpolated, never input.
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "  # noqa: S608
        f"VALUES ({', '.join(':' + name for name in columns)}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates} RETURNING id"
    )
    return text(sql).bindparams(
        *(bindparam(name, type_=table.c[name].type) for name in columns)
    )


def _upsert_person(session: Session, *, platform_id: int, body: dict[str, Any]) -> int:
    # Only what the platform shares this time is updated: a privacy setting may hide PII.
    shared = {
        field: value[:320]
        for field in ("name", "given_name", "family_name", "email")
        if isinstance(value := body.get(field), str) and value
    }
    return _upsert(
        session,
        Person.__table__,
        keys={"platform_id": platform_id, "sub": str(body.get("sub", ""))},
        values={**shared, "last_seen_at": utcnow()},
        blanks=("name", "given_name", "family_name", "email"),
    )


def _upsert_course(
    session: Session,
    *,
    platform_id: int,
    deployment_id: str,
    context: dict[str, Any],
    body: dict[str, Any],
) -> int:
    values: dict[str, Any] = {"deployment_id": deployment_id, "last_launch_at": utcnow()}
    if context.get("label"):
        values["label"] = str(context["label"])[:255]
    if context.get("title"):
        values["title"] = str(context["title"])[:500]
    ags = body.get(claims.AGS_ENDPOINT)
    if isinstance(ags, dict) and isinstance(ags.get("lineitems"), str):
        values["lineitems_url"] = ags["lineitems"][:1000]
    nrps = body.get(claims.NRPS)
    if isinstance(nrps, dict) and isinstance(nrps.get("context_memberships_url"), str):
        values["memberships_url"] = nrps["context_memberships_url"][:1000]
    return _upsert(
        session,
        Course.__table__,
        keys={"platform_id": platform_id, "context_id": str(context["id"])},
        values=values,
        blanks=("label", "title", "lineitems_url", "memberships_url"),
    )
