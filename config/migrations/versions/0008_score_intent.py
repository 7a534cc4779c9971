"""score outbox carries intent: review link, submitted-at, keep-existing-grade, restamped

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

The outbox row used to hold AGS progress values and Canvas's submission extension as sent;
grading now records what a score means and the AGS adapter writes both (vendor rules live
in lti_tool). ``restamped`` replaces reading the row's note to tell whether it was already
sent once with a fresh timestamp. Existing rows are converted in place, both ways.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

import config.database

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

_CANVAS = "https://canvas.instructure.com/lti/submission"
_RESTAMP_NOTE = "sent with a new timestamp"
_PROGRESS = {"submitted": ("Submitted", "PendingManual"), "grade": ("Completed", "FullyGraded")}


def _extensions(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        found = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def upgrade() -> None:
    with op.batch_alter_table('score_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_url', sa.String(length=1000), nullable=True))
        batch_op.add_column(sa.Column(
            'submitted_at', config.database.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column(
            'keep_existing_grade', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column(
            'restamped', sa.Boolean(), nullable=False, server_default=sa.false()))
    old = sa.table('score_outbox', sa.column('id', sa.Integer), sa.column('extensions', sa.JSON),
                   sa.column('note', sa.String))
    new = sa.table('score_outbox', sa.column('id', sa.Integer),
                   sa.column('review_url', sa.String),
                   sa.column('submitted_at', config.database.UTCDateTime(timezone=True)),
                   sa.column('keep_existing_grade', sa.Boolean),
                   sa.column('restamped', sa.Boolean))
    bind = op.get_bind()
    for row_id, extensions, note in bind.execute(sa.select(old.c.id, old.c.extensions, old.c.note)).all():
        canvas = _extensions(extensions).get(_CANVAS) or {}
        bind.execute(new.update().where(new.c.id == row_id).values(
            review_url=canvas.get("submission_data") or None,
            submitted_at=_moment(canvas.get("submitted_at")),
            keep_existing_grade=bool(canvas.get("preserve_score")),
            restamped=(note or "").startswith(_RESTAMP_NOTE),
        ))
    with op.batch_alter_table('score_outbox', schema=None) as batch_op:
        batch_op.drop_column('extensions')
        batch_op.drop_column('grading_progress')
        batch_op.drop_column('activity_progress')


def downgrade() -> None:
    with op.batch_alter_table('score_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'activity_progress', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column(
            'grading_progress', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('extensions', sa.JSON(), nullable=True))
    table = sa.table('score_outbox', sa.column('id', sa.Integer), sa.column('kind', sa.String),
                     sa.column('review_url', sa.String),
                     sa.column('submitted_at', config.database.UTCDateTime(timezone=True)),
                     sa.column('keep_existing_grade', sa.Boolean),
                     sa.column('activity_progress', sa.String),
                     sa.column('grading_progress', sa.String),
                     sa.column('extensions', sa.JSON))
    bind = op.get_bind()
    rows = bind.execute(sa.select(table.c.id, table.c.kind, table.c.review_url,
                                  table.c.submitted_at, table.c.keep_existing_grade)).all()
    for row_id, kind, review_url, submitted_at, keep in rows:
        activity, grading = _PROGRESS.get(kind, ("Completed", "FullyGraded"))
        canvas: dict[str, Any] = {"new_submission": kind == "submitted"}
        if kind == "submitted":
            if review_url:
                canvas.update(submission_type="online_url", submission_data=review_url)
            if submitted_at is not None:
                canvas["submitted_at"] = submitted_at.isoformat()
            if keep:
                canvas["preserve_score"] = True
        bind.execute(table.update().where(table.c.id == row_id).values(
            activity_progress=activity, grading_progress=grading, extensions={_CANVAS: canvas},
        ))
    with op.batch_alter_table('score_outbox', schema=None) as batch_op:
        batch_op.alter_column('extensions', existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column('restamped')
        batch_op.drop_column('keep_existing_grade')
        batch_op.drop_column('submitted_at')
        batch_op.drop_column('review_url')
