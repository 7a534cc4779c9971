"""roster: placement keys, due date source, line item and roster status; the roster cache;
placement.project_revision_id now references the catalog's project_revision

Revision ID: 0004
Revises: 0003 (after the catalog: the foreign key needs project_revision)
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import config.database

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('due_at_source', sa.String(length=10), nullable=False, server_default='tool'))
        batch_op.add_column(sa.Column('line_item_error', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('roster_synced_at', config.database.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('roster_error', sa.Text(), nullable=False, server_default=''))
        batch_op.create_foreign_key(
            batch_op.f('fk__placement__project_revision_id__project_revision'),
            'project_revision', ['project_revision_id'], ['id'],
        )
    # Placements made before keys existed get one derived from their id (still unique).
    op.execute("UPDATE placement SET key = 'p' || CAST(id AS VARCHAR(20)) WHERE key IS NULL")
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.alter_column('key', existing_type=sa.String(length=40), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq__placement__key'), ['key'])

    op.create_table('roster_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('user_sub', sa.String(length=255), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('given_name', sa.String(length=200), nullable=False),
    sa.Column('family_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('roles', sa.String(length=500), nullable=False),
    sa.Column('is_learner', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('synced_at', config.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk__roster_member__placement_id__placement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk__roster_member')),
    sa.UniqueConstraint('placement_id', 'user_sub', name='uq__roster_member__user')
    )
    with op.batch_alter_table('roster_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix__roster_member_placement_id'), ['placement_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('roster_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix__roster_member_placement_id'))
    op.drop_table('roster_member')

    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq__placement__key'), type_='unique')
        batch_op.drop_constraint(
            batch_op.f('fk__placement__project_revision_id__project_revision'), type_='foreignkey'
        )
        batch_op.drop_column('roster_error')
        batch_op.drop_column('roster_synced_at')
        batch_op.drop_column('line_item_error')
        batch_op.drop_column('due_at_source')
        batch_op.drop_column('key')
