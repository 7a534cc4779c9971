"""applications: options that take applications, and students' answers

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06

An option of a choice set can require an application (apply by, select by); each
application is a student's short answer about skills and motivation, judged blind by the
employer, who ranks or accepts/declines it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import config.database

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('application_call',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('option_id', sa.Integer(), nullable=False),
    sa.Column('apply_by', sa.Date(), nullable=False),
    sa.Column('select_by', sa.Date(), nullable=False),
    sa.Column('created_at', config.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['option_id'], ['choice_option.id'], name=op.f('fk__application_call__option_id__choice_option'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk__application_call')),
    sa.UniqueConstraint('option_id', name=op.f('uq__application_call__option_id'))
    )
    op.create_table('application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('option_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('skills_used', sa.Text(), nullable=False),
    sa.Column('motivation', sa.Text(), nullable=False),
    sa.Column('hours_per_week', sa.Float(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('employer_rank', sa.Integer(), nullable=True),
    sa.Column('decided_at', config.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', config.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', config.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['option_id'], ['choice_option.id'], name=op.f('fk__application__option_id__choice_option'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk__application__person_id__person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk__application')),
    sa.UniqueConstraint('option_id', 'person_id', name='uq__application__person')
    )
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix__application_option_id'), ['option_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix__application_option_id'))
    op.drop_table('application')
    op.drop_table('application_call')
