"""score outbox: unknown outcomes, first try, last sweep

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06

A try whose outcome is unknown (timeout, gateway error) is read back before it is posted
again; transient failures are given up on by time since the first try, not by count; the
sweep remembers when it last queued a row.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import config.database

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('score_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome_unknown', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('first_attempt_at',
                                      config.database.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('swept_at', config.database.UTCDateTime(timezone=True),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('score_outbox', schema=None) as batch_op:
        batch_op.drop_column('swept_at')
        batch_op.drop_column('first_attempt_at')
        batch_op.drop_column('outcome_unknown')
