"""The person and course rows every launch writes, as upserts built once per column set.

INSERT ... ON CONFLICT DO UPDATE ... RETURNING is safe when the same person or course
launches twice at once. On PostgreSQL both rows are written by one statement (a
data-modifying WITH), on SQLite by two. The course upsert also returns the placement at the
launch's resource link (:link_id), so the placement step needs no query of its own.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, TextClause, bindparam, text

from config.database import first_row, utcnow
from grading.people.models import Course, Person
from grading.placements.models import Placement
from lti_tool.launch import claims

PERSON_BLANKS = ("name", "given_name", "family_name", "email")
COURSE_BLANKS = ("label", "title", "lineitems_url", "memberships_url")


@dataclass(frozen=True)
class Upsert:
    table: Table
    keys: dict[str, Any]
    values: dict[str, Any]
    blanks: tuple[str, ...]

    def shape(self) -> tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """What the SQL depends on: columns in ``empty`` get "" on insert and keep their
        value on update (the platform did not share them this time)."""
        empty = tuple(name for name in self.blanks if name not in self.values)
        return self.table.name, tuple(self.keys), tuple(self.values), empty

    def params(self) -> dict[str, Any]:
        return {**self.keys, **self.values, **dict.fromkeys(self.shape()[3], "")}


@dataclass(frozen=True)
class Written:
    person_id: int
    course_id: int
    placement_at_link: int | None


def person_upsert(*, platform_id: int, body: dict[str, Any]) -> Upsert:
    # Only what the platform shares this time is updated: a privacy setting may hide PII.
    shared = {
        field: value[:320]
        for field in PERSON_BLANKS
        if isinstance(value := body.get(field), str) and value
    }
    return Upsert(
        _table(Person),
        keys={"platform_id": platform_id, "sub": str(body.get("sub", ""))},
        values={**shared, "last_seen_at": utcnow()},
        blanks=PERSON_BLANKS,
    )


def course_upsert(
    *, platform_id: int, deployment_id: str, context: dict[str, Any], body: dict[str, Any]
) -> Upsert:
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
    return Upsert(
        _table(Course),
        keys={"platform_id": platform_id, "context_id": str(context["id"])},
        values=values,
        blanks=COURSE_BLANKS,
    )


def write(connection: Connection, person: Upsert, course: Upsert, *, link_id: str | None) -> Written:
    """Both rows, each statement committing by itself on an autocommit connection."""
    # Shared names (platform_id, created_at) carry the same value in both statements.
    params = {**person.params(), **course.params(), "created_at": utcnow(), "link_id": link_id}
    if connection.dialect.name == "postgresql":
        row = first_row(connection, _both(person.shape(), course.shape()), params)
        assert row is not None  # an upsert always returns its row
        return Written(int(row[0]), int(row[1]), _id(row[2]))
    person_id = connection.execute(_single(person.shape(), "id"), params).scalar_one()
    course_row = connection.execute(_single(course.shape(), _COURSE_RETURNING), params).one()
    return Written(int(person_id), int(course_row[0]), _id(course_row[1]))


_COURSE_RETURNING = (
    "id, (SELECT placement.id FROM placement "
    "WHERE placement.course_id = course.id AND placement.resource_link_id = :link_id)"
)
assert Placement.__tablename__ == "placement" and Course.__tablename__ == "course"
Shape = tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]


@functools.lru_cache(maxsize=64)
def _single(shape: Shape, returning: str) -> TextClause:
    return _typed(_insert_sql(shape, returning), shape)


@functools.lru_cache(maxsize=64)
def _both(person: Shape, course: Shape) -> TextClause:
    returning = "(SELECT id FROM person_row), " + _COURSE_RETURNING  # noqa: S608 (constants)
    sql = "WITH person_row AS (" + _insert_sql(person, "id") + ") " + _insert_sql(course, returning)
    return _typed(sql, person, course)


def _insert_sql(shape: Shape, returning: str) -> str:
    table, keys, values, empty = shape
    columns = (*keys, *values, *empty, "created_at")
    updates = ", ".join(f"{name} = excluded.{name}" for name in values)
    # Only names from our own table definitions are interpolated, never input.
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
        f"VALUES ({', '.join(':' + name for name in columns)}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates} RETURNING {returning}"
    )


def _typed(sql: str, *shapes: Shape) -> TextClause:
    types = {}
    for table_name, keys, values, empty in shapes:
        table = _TABLES[table_name]
        for name in (*keys, *values, *empty, "created_at"):
            types[name] = table.c[name].type
    return text(sql).bindparams(*(bindparam(name, type_=kind) for name, kind in types.items()))


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


_TABLES = {Person.__tablename__: _table(Person), Course.__tablename__: _table(Course)}


def _id(value: Any) -> int | None:
    return None if value is None else int(value)
