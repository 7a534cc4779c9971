"""credentials: issuer keys and issued Open Badges credentials

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06

The dedicated issuer key (separate from the LTI tool key) and each issued credential with
its place in the institution's revocation status list.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import config.database

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('issuer_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kid', sa.String(length=64), nullable=False),
    sa.Column('private_pem', sa.Text(), nullable=False),
    sa.Column('public_jwk', sa.Text(), nullable=False),
    sa.Column('retired_at', config.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('publish_until', config.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', config.database.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk__issuer_key')),
    sa.UniqueConstraint('kid', name=op.f('uq__issuer_key__kid'))
    )
    op.create_table('credential',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('credit_record_id', sa.Integer(), nullable=True),
    sa.Column('source_step_id', sa.Integer(), nullable=True),
    sa.Column('status_index', sa.Integer(), nullable=False),
    sa.Column('name_shown', sa.Boolean(), nullable=False),
    sa.Column('recipient_only', sa.Boolean(), nullable=False),
    sa.Column('jwt', sa.Text(), nullable=False),
    sa.Column('issued_at', config.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('share_token', sa.String(length=64), nullable=True),
    sa.Column('revoked_at', config.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_reason', sa.Text(), nullable=False),
    sa.Column('revoked_by', sa.String(length=320), nullable=False),
    sa.Column('created_at', config.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['credit_record_id'], ['credit_record.id'], name=op.f('fk__credential__credit_record_id__credit_record'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk__credential__institution_id__institution'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk__credential__person_id__person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk__credential__placement_id__placement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk__credential')),
    sa.UniqueConstraint('institution_id', 'status_index', name='uq__credential__status_index'),
    sa.UniqueConstraint('share_token', name=op.f('uq__credential__share_token')),
    sa.UniqueConstraint('source_step_id', name=op.f('uq__credential__source_step_id')),
    sa.UniqueConstraint('uuid', name=op.f('uq__credential__uuid'))
    )
    with op.batch_alter_table('credential', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix__credential_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix__credential_placement_id'), ['placement_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('credential', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix__credential_placement_id'))
        batch_op.drop_index(batch_op.f('ix__credential_person_id'))

    op.drop_table('credential')
    op.drop_table('issuer_key')
