"""badges on completion: a placement without credit may issue a badge when the work is done

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06

``placement_credit.badge_on_completion`` is the instructor's switch (off by default);
``credential.source_release_id`` is the grade release a badge was issued on, so the same
release heard twice issues once per member (the approving step plays that part for credit).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('placement_credit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('badge_on_completion', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('credential', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_release_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint('uq__credential__release_person',
                                          ['source_release_id', 'person_id'])


def downgrade() -> None:
    with op.batch_alter_table('credential', schema=None) as batch_op:
        batch_op.drop_constraint('uq__credential__release_person', type_='unique')
        batch_op.drop_column('source_release_id')
    with op.batch_alter_table('placement_credit', schema=None) as batch_op:
        batch_op.drop_column('badge_on_completion')
