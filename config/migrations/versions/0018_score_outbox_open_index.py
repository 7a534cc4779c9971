"""score outbox: open rows indexed by id, not by state

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06

A delivery claims its row (``WHERE id = ? AND state = 'pending' ...``) and records its outcome
(``WHERE id = ? AND state = 'sending' ...``). With ``(state, next_attempt_at)`` indexed,
PostgreSQL's generic plan for those prepared statements used that index (the state as the
index condition, the id as a filter: both estimated at one row while statistics showed few
open rows), so each claim and each outcome read every open row: thousands while a burst of
releases waits. The open rows are indexed by id instead (a partial index): whichever index a
plan picks, it finds the row by its id. The sweep, which reads only open rows, uses it too.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

OPEN = sa.text("state IN ('pending', 'sending')")


def upgrade() -> None:
    with op.batch_alter_table('score_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix__score_outbox__state_next')
        batch_op.create_index('ix__score_outbox__open', ['id'], unique=False,
                              postgresql_where=OPEN, sqlite_where=OPEN)


def downgrade() -> None:
    with op.batch_alter_table('score_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix__score_outbox__open')
        batch_op.create_index('ix__score_outbox__state_next', ['state', 'next_attempt_at'],
                              unique=False)
