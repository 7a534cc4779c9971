"""submission files removed to save space

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

Only the files of a learner's (or team's) newest attempts are kept; older attempts keep their
record and name their files, and ``collected_at`` says when a file's content was removed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import config.database

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('submission_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('collected_at', config.database.UTCDateTime(timezone=True),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('submission_file', schema=None) as batch_op:
        batch_op.drop_column('collected_at')
