"""The person and course rows every launch writes, as upserts built once per column set.

lti_tool reads the launch and hands over plain values (``PersonSeen``, ``CourseSeen``);
the rules for those rows live here: what the platform did not share this time keeps its
stored value, and every text is cut to its column's length.

INSERT ... ON CONFLICT DO UPDATE ... RETURNING is safe when the same person or course
launches twice at once. On PostgreSQL both rows are written by one statement (a
data-modifying WITH), on SQLite by two. The course upsert also returns the placement at the
launch's resource link (:link_id), so the placement step needs no query of its own, and
both return the names as stored, so the page the launch answers with needs none either.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, String, Table, TextClause, bindparam, text

from config.database import first_row, utcnow
from grading.people.models import Course, Person

PERSON_BLANKS = ("name", "given_name", "family_name", "email", "sis_id")
COURSE_BLANKS = ("label", "title", "lineitems_url", "memberships_url")


@dataclass(frozen=True, slots=True)
class PersonSeen:
    """Who launched, as the platform shares it this time ("" where it shares nothing:
    a privacy setting may hide names and email)."""

    platform_id: int
    sub: str
    name: str = ""
    given_name: str = ""
    family_name: str = ""
    email: str = ""
    sis_id: str = ""
    """``lis.person_sourcedid``: the registrar's id for the person, where the LMS shares it."""


@dataclass(frozen=True, slots=True)
class CourseSeen:
    """The course launched from ("" where the launch did not say)."""

    platform_id: int
    deployment_id: str
    context_id: str
    label: str = ""
    title: str = ""
    lineitems_url: str = ""
    memberships_url: str = ""


@dataclass(frozen=True)
class Written:
    person_id: int
    course_id: int
    placement_at_link: int | None
    person_names: tuple[str, str, str]
    """name, given_name, family_name as stored after the upsert."""
    course_names: tuple[str, str, str]
    """title, label, context_id as stored after the upsert."""


def record_launch(
    connection: Connection, *, person: PersonSeen, course: CourseSeen, link_id: str | None
) -> Written:
    """Both rows, each statement committing by itself on an autocommit connection.

    ``link_id`` is the resource link whose placement the course upsert reads on the way.
    """
    return write(connection, person_upsert(person), course_upsert(course), link_id=link_id)


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


def person_upsert(seen: PersonSeen) -> Upsert:
    # Only what the platform shares this time is updated.
    shared = {
        field: value[: _PERSON_LENGTHS[field]]
        for field in PERSON_BLANKS
        if (value := getattr(seen, field))
    }
    return Upsert(
        _table(Person),
        keys={"platform_id": seen.platform_id, "sub": seen.sub},
        values={**shared, "last_seen_at": utcnow()},
        blanks=PERSON_BLANKS,
    )


def course_upsert(seen: CourseSeen) -> Upsert:
    values: dict[str, Any] = {"deployment_id": seen.deployment_id, "last_launch_at": utcnow()}
    for field in COURSE_BLANKS:
        if value := getattr(seen, field):
            values[field] = value[: _COURSE_LENGTHS[field]]
    return Upsert(
        _table(Course),
        keys={"platform_id": seen.platform_id, "context_id": seen.context_id},
        values=values,
        blanks=COURSE_BLANKS,
    )


def write(connection: Connection, person: Upsert, course: Upsert, *, link_id: str | None) -> Written:
    # Shared names (platform_id, created_at) carry the same value in both statements.
    params = {**person.params(), **course.params(), "created_at": utcnow(), "link_id": link_id}
    if connection.dialect.name == "postgresql":
        row = first_row(connection, _both(person.shape(), course.shape()), params)
        assert row is not None  # an upsert always returns its row
        person_row, course_row = row[:4], row[4:]
    else:
        person_row = tuple(connection.execute(_single(person.shape(), _PERSON_RETURNING), params).one())
        course_row = tuple(connection.execute(_single(course.shape(), _COURSE_RETURNING), params).one())
    return Written(
        int(person_row[0]), int(course_row[0]), _id(course_row[1]),
        person_names=_texts(person_row[1:4]), course_names=_texts(course_row[2:5]),
    )


_PERSON_RETURNING = "id, name, given_name, family_name"
# The same columns of the person upsert, read by the course upsert that follows it (PostgreSQL).
_PERSON_FROM_CTE = ", ".join(
    "(SELECT " + name + " FROM person_row)" for name in _PERSON_RETURNING.split(", ")  # noqa: S608
)
# The placement table is named, not imported: people sit below placements in grading.
_COURSE_RETURNING = (
    "id, (SELECT placement.id FROM placement "
    "WHERE placement.course_id = course.id AND placement.resource_link_id = :link_id), "
    "title, label, context_id"
)
Shape = tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]


@functools.lru_cache(maxsize=64)
def _single(shape: Shape, returning: str) -> TextClause:
    return _typed(_insert_sql(shape, returning), shape)


@functools.lru_cache(maxsize=64)
def _both(person: Shape, course: Shape) -> TextClause:
    returning = _PERSON_FROM_CTE + ", " + _COURSE_RETURNING
    sql = ("WITH person_row AS (" + _insert_sql(person, _PERSON_RETURNING) + ") "
           + _insert_sql(course, returning))
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


def _lengths(table: Table, names: tuple[str, ...]) -> dict[str, int]:
    """Each text column's length: what the platform sends is cut to fit."""
    lengths = {}
    for name in names:
        kind = table.c[name].type
        assert isinstance(kind, String) and kind.length is not None
        lengths[name] = kind.length
    return lengths


_TABLES = {Person.__tablename__: _table(Person), Course.__tablename__: _table(Course)}
_PERSON_LENGTHS = _lengths(_table(Person), PERSON_BLANKS)
_COURSE_LENGTHS = _lengths(_table(Course), COURSE_BLANKS)


def _id(value: Any) -> int | None:
    return None if value is None else int(value)


def _texts(values: tuple[Any, ...]) -> tuple[str, str, str]:
    first, second, third = (str(value or "") for value in values)
    return first, second, third
