"""choice sets and student profiles

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06

A student's profile (skills with a self-rated level, interests, career goals, disciplines,
hours a week and the weeks available). A choice set: several projects placed as one activity
(``choice_set`` on the activity's placement, one ``choice_option`` per project placement),
the students' ranks and the assignment the instructor previews and publishes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import config.database

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('student_profile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('interests', sa.JSON(), nullable=False),
    sa.Column('career_goals', sa.Text(), nullable=False),
    sa.Column('disciplines', sa.JSON(), nullable=False),
    sa.Column('hours_per_week', sa.Integer(), nullable=True),
    sa.Column('available_from', sa.Date(), nullable=True),
    sa.Column('available_until', sa.Date(), nullable=True),
    sa.Column('shared_with_employers_at', config.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', config.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', config.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk__student_profile__person_id__person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk__student_profile')),
    sa.UniqueConstraint('person_id', name=op.f('uq__student_profile__person_id'))
    )
    op.create_table('choice_set',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=True),
    sa.Column('previewed_at', config.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('published_at', config.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('published_by_person_id', sa.Integer(), nullable=True),
    sa.Column('created_at', config.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk__choice_set__placement_id__placement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_person_id'], ['person.id'], name=op.f('fk__choice_set__published_by_person_id__person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk__choice_set')),
    sa.UniqueConstraint('placement_id', name=op.f('uq__choice_set__placement_id'))
    )
    op.create_table('choice_option',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('choice_set_id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['choice_set_id'], ['choice_set.id'], name=op.f('fk__choice_option__choice_set_id__choice_set'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk__choice_option__placement_id__placement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk__choice_option')),
    sa.UniqueConstraint('placement_id', name=op.f('uq__choice_option__placement_id'))
    )
    with op.batch_alter_table('choice_option', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix__choice_option_choice_set_id'), ['choice_set_id'], unique=False)

    op.create_table('choice_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('choice_set_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('option_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('by_fit', sa.Boolean(), nullable=False),
    sa.Column('adjusted', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('updated_at', config.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', config.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['choice_set_id'], ['choice_set.id'], name=op.f('fk__choice_assignment__choice_set_id__choice_set'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['option_id'], ['choice_option.id'], name=op.f('fk__choice_assignment__option_id__choice_option'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk__choice_assignment__person_id__person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk__choice_assignment')),
    sa.UniqueConstraint('choice_set_id', 'person_id', name='uq__choice_assignment__person')
    )
    with op.batch_alter_table('choice_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix__choice_assignment_choice_set_id'), ['choice_set_id'], unique=False)
        batch_op.create_index(batch_op.f('ix__choice_assignment_option_id'), ['option_id'], unique=False)

    op.create_table('choice_rank',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('choice_set_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('option_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('created_at', config.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['choice_set_id'], ['choice_set.id'], name=op.f('fk__choice_rank__choice_set_id__choice_set'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['option_id'], ['choice_option.id'], name=op.f('fk__choice_rank__option_id__choice_option'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk__choice_rank__person_id__person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk__choice_rank')),
    sa.UniqueConstraint('choice_set_id', 'person_id', 'option_id', name='uq__choice_rank__option'),
    sa.UniqueConstraint('choice_set_id', 'person_id', 'rank', name='uq__choice_rank__rank')
    )
    with op.batch_alter_table('choice_rank', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix__choice_rank_choice_set_id'), ['choice_set_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('choice_rank', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix__choice_rank_choice_set_id'))

    op.drop_table('choice_rank')
    with op.batch_alter_table('choice_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix__choice_assignment_option_id'))
        batch_op.drop_index(batch_op.f('ix__choice_assignment_choice_set_id'))

    op.drop_table('choice_assignment')
    with op.batch_alter_table('choice_option', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix__choice_option_choice_set_id'))

    op.drop_table('choice_option')
    op.drop_table('choice_set')
    op.drop_table('student_profile')
