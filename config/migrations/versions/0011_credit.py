"""academic credit: credit policy, credit officers, verified hours, reflections, credit records

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

An institution's credit policy and its credit officers (who sign in by email); per placement,
whether it bears credit; per student, the hours someone verified (append-only), a reflection,
and a credit record whose steps (``credit_step``) are an append-only history. People gain
``sis_id``: the LMS's ``lis.person_sourcedid``, for the registrar's export.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import config.database

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('credit_officer_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('invited_by', sa.String(length=320), nullable=False),
    sa.Column('joined_at', config.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_sign_in_at', config.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', config.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk__credit_officer_account__institution_id__institution'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk__credit_officer_account')),
    sa.UniqueConstraint('email', name=op.f('uq__credit_officer_account__email'))
    )
    with op.batch_alter_table('credit_officer_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix__credit_officer_account_institution_id'), ['institution_id'], unique=False)

    op.create_table('credit_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('hours_per_credit', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('minimum_grade_percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('reflection_required', sa.Boolean(), nullable=False),
    sa.Column('approver', sa.String(length=30), nullable=False),
    sa.Column('updated_at', config.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=320), nullable=False),
    sa.Column('created_at', config.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk__credit_policy__institution_id__institution'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk__credit_policy')),
    sa.UniqueConstraint('institution_id', name=op.f('uq__credit_policy__institution_id'))
    )
    op.create_table('credit_reflection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('what_i_did_md', sa.Text(), nullable=False),
    sa.Column('skills_used_md', sa.Text(), nullable=False),
    sa.Column('what_i_learned_md', sa.Text(), nullable=False),
    sa.Column('updated_at', config.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', config.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk__credit_reflection__person_id__person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk__credit_reflection__placement_id__placement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk__credit_reflection')),
    sa.UniqueConstraint('placement_id', 'person_id', name='uq__credit_reflection__person')
    )
    op.create_table('hours_verification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('logged_hours', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('verified_hours', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('verifier_kind', sa.String(length=20), nullable=False),
    sa.Column('verifier_id', sa.Integer(), nullable=True),
    sa.Column('verifier_label', sa.String(length=320), nullable=False),
    sa.Column('created_at', config.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk__hours_verification__person_id__person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk__hours_verification__placement_id__placement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk__hours_verification'))
    )
    with op.batch_alter_table('hours_verification', schema=None) as batch_op:
        batch_op.create_index('ix__hours_verification__placement_person', ['placement_id', 'person_id'], unique=False)

    op.create_table('placement_credit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('credit_bearing', sa.Boolean(), nullable=False),
    sa.Column('credits', sa.Numeric(precision=4, scale=1), nullable=False),
    sa.Column('updated_at', config.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', config.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk__placement_credit__placement_id__placement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['person.id'], name=op.f('fk__placement_credit__updated_by_id__person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk__placement_credit')),
    sa.UniqueConstraint('placement_id', name=op.f('uq__placement_credit__placement_id'))
    )
    op.create_table('credit_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('credits', sa.Numeric(precision=4, scale=1), nullable=False),
    sa.Column('verified_hours', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('grade_percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('hours_verification_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', config.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('approver_label', sa.String(length=320), nullable=False),
    sa.Column('updated_at', config.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', config.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['hours_verification_id'], ['hours_verification.id'], name=op.f('fk__credit_record__hours_verification_id__hours_verification'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk__credit_record__institution_id__institution'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk__credit_record__person_id__person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk__credit_record__placement_id__placement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk__credit_record')),
    sa.UniqueConstraint('placement_id', 'person_id', name='uq__credit_record__person')
    )
    with op.batch_alter_table('credit_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix__credit_record_approved_at'), ['approved_at'], unique=False)
        batch_op.create_index(batch_op.f('ix__credit_record_institution_id'), ['institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix__credit_record_placement_id'), ['placement_id'], unique=False)

    op.create_table('credit_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('credit_record_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('actor_kind', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=320), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('credits', sa.Numeric(precision=4, scale=1), nullable=False),
    sa.Column('verified_hours', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('grade_percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('created_at', config.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['credit_record_id'], ['credit_record.id'], name=op.f('fk__credit_step__credit_record_id__credit_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk__credit_step'))
    )
    with op.batch_alter_table('credit_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix__credit_step_credit_record_id'), ['credit_record_id'], unique=False)

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sis_id', sa.String(length=255), nullable=False,
                                      server_default=''))



def downgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('sis_id')

    with op.batch_alter_table('credit_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix__credit_step_credit_record_id'))

    op.drop_table('credit_step')
    with op.batch_alter_table('credit_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix__credit_record_placement_id'))
        batch_op.drop_index(batch_op.f('ix__credit_record_institution_id'))
        batch_op.drop_index(batch_op.f('ix__credit_record_approved_at'))

    op.drop_table('credit_record')
    op.drop_table('placement_credit')
    with op.batch_alter_table('hours_verification', schema=None) as batch_op:
        batch_op.drop_index('ix__hours_verification__placement_person')

    op.drop_table('hours_verification')
    op.drop_table('credit_reflection')
    op.drop_table('credit_policy')
    with op.batch_alter_table('credit_officer_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix__credit_officer_account_institution_id'))

    op.drop_table('credit_officer_account')
