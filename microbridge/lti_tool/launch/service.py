"""What a validated launch records: the person, the course, and the launch data."""

from __future__ import annotations

import functools
import json
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, TextClause, bindparam, text

from microbridge.config.database import utcnow
from microbridge.config.store import KeyValueStore
from microbridge.config.web import LaunchIdentity, Roles
from microbridge.grading.people.models import Course, Person
from microbridge.grading.placements.models import Placement
from microbridge.lti_tool.deep_linking import settings as deep_linking_settings
from microbridge.lti_tool.launch import claims
from microbridge.lti_tool.launch.errors import LaunchRejected
from microbridge.lti_tool.launch.roles import map_roles

LAUNCH_DATA_TTL = 8 * 3600
NONCE_TTL = 2 * 3600


@dataclass(frozen=True)
class CheckedLaunch:
    """What a validated message says about who launched from where."""

    message_type: str
    roles: frozenset[str]
    deployment_id: str
    context: dict[str, Any]


@dataclass(frozen=True)
class RecordedLaunch:
    identity: LaunchIdentity
    # The placement already at the launch's resource link, read by the course upsert itself
    # (None: no placement there, or no link to look at).
    placement_at_link: int | None


def check_launch(body: dict[str, Any]) -> CheckedLaunch:
    """Refuse what Microbridge cannot serve before anything is used up or written."""
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
    return CheckedLaunch(message_type, roles, str(body[claims.DEPLOYMENT_ID]), context)


def use_nonce(store: KeyValueStore, *, issuer: str, body: dict[str, Any]) -> str:
    """Use up the nonce and keep the launch data under a new launch id, in one step.

    Whoever gets here second with the same id_token is a replay.
    """
    launch_id = secrets.token_urlsafe(18)
    used = store.add_then_put(
        f"lti-nonce:{issuer}:{body.get('nonce', '')}", NONCE_TTL,
        f"lti-launch:{launch_id}", json.dumps(body), LAUNCH_DATA_TTL,
    )
    if not used:
        raise LaunchRejected(
            "nonce_replayed",
            "This launch message was already used. Each launch from the LMS works only once.",
            hint="Go back to your course and open the Microbridge link again.",
        )
    return launch_id


def record_launch(
    connection: Connection,
    checked: CheckedLaunch,
    *,
    platform_id: int,
    institution_id: int | None,
    body: dict[str, Any],
    launch_id: str,
    link_id: str | None,
) -> RecordedLaunch:
    """Upsert the person and the course, each a statement that commits by itself.

    ``connection`` autocommits: the two rows need no transaction around them, and a launch
    costs two round trips instead of four. ``link_id`` is the resource link whose placement
    the course upsert reads on the way.
    """
    person_id = _upsert_person(connection, platform_id=platform_id, body=body)
    course_id, placement_at_link = _upsert_course(
        connection, platform_id=platform_id, deployment_id=checked.deployment_id,
        context=checked.context, body=body, link_id=link_id,
    )
    identity = LaunchIdentity(
        session_id=secrets.token_urlsafe(12),
        person_id=person_id,
        platform_id=platform_id,
        deployment_id=checked.deployment_id,
        course_id=course_id,
        institution_id=institution_id,
        roles=checked.roles,
        launch_id=launch_id,
        message_type=checked.message_type,
    )
    return RecordedLaunch(identity, placement_at_link)


def launch_data(store: KeyValueStore, launch_id: str) -> dict[str, Any] | None:
    raw = store.get(f"lti-launch:{launch_id}")
    return None if raw is None else dict(json.loads(raw))


def _string_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _upsert(
    connection: Connection,
    table: Any,
    *,
    keys: dict[str, Any],
    values: dict[str, Any],
    blanks: tuple[str, ...],
    extra: dict[str, Any] | None = None,
) -> tuple[Any, ...]:
    """INSERT ... ON CONFLICT DO UPDATE ... RETURNING id: one round trip, safe under races.

    The same SQL runs on PostgreSQL and SQLite; statements are built once per column set,
    since building and cache-keying a fresh Insert costs more than the query itself.
    """
    empty = tuple(name for name in blanks if name not in values)
    statement = _upsert_statement(table, tuple(keys), tuple(values), empty)
    params = {**keys, **values, **dict.fromkeys(empty, ""), "created_at": utcnow(), **(extra or {})}
    return tuple(connection.execute(statement, params).one())


@functools.lru_cache(maxsize=64)
def _upsert_statement(
    table: Any, keys: tuple[str, ...], values: tuple[str, ...], empty: tuple[str, ...]
) -> TextClause:
    # Columns in ``empty`` are set to "" on insert only: an update keeps what is there.
    columns = (*keys, *values, *empty, "created_at")
    updates = ", ".join(f"{name} = excluded.{name}" for name in values)
    returning = _RETURNING.get(table.name, "id")
    # Only names from our own table definitions are interpolated, never input.
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "  # noqa: S608
        f"VALUES ({', '.join(':' + name for name in columns)}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates} RETURNING {returning}"
    )
    return text(sql).bindparams(
        *(bindparam(name, type_=table.c[name].type) for name in columns)
    )


# The course upsert also reads the placement at the launch's link (:link_id), saving the
# placement step a query on every launch. PostgreSQL and SQLite both allow the subquery.
_RETURNING = {
    Course.__tablename__: (
        "id, (SELECT placement.id FROM placement "
        "WHERE placement.course_id = course.id AND placement.resource_link_id = :link_id)"
    ),
}
assert Placement.__tablename__ == "placement"


def _upsert_person(connection: Connection, *, platform_id: int, body: dict[str, Any]) -> int:
    # Only what the platform shares this time is updated: a privacy setting may hide PII.
    shared = {
        field: value[:320]
        for field in ("name", "given_name", "family_name", "email")
        if isinstance(value := body.get(field), str) and value
    }
    row = _upsert(
        connection,
        Person.__table__,
        keys={"platform_id": platform_id, "sub": str(body.get("sub", ""))},
        values={**shared, "last_seen_at": utcnow()},
        blanks=("name", "given_name", "family_name", "email"),
    )
    return int(row[0])


def _upsert_course(
    connection: Connection,
    *,
    platform_id: int,
    deployment_id: str,
    context: dict[str, Any],
    body: dict[str, Any],
    link_id: str | None,
) -> tuple[int, int | None]:
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
    row = _upsert(
        connection,
        Course.__table__,
        keys={"platform_id": platform_id, "context_id": str(context["id"])},
        values=values,
        blanks=("label", "title", "lineitems_url", "memberships_url"),
        extra={"link_id": link_id},
    )
    return int(row[0]), None if row[1] is None else int(row[1])
