"""notices: kinds, institutions and unsubscribe links on mail; opt-outs; sent-once keys

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06

Each outgoing email may be a notice of a kind its recipient can turn off (``mail_opt_out``),
names the institution whose administrators see it when it fails, and carries its one-click
unsubscribe link. ``notice_once`` keeps periodic notices (the daily digest) from going out
twice.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import config.database

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outgoing_email', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=40), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('institution_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('unsubscribe_url', sa.String(length=1000),
                                      server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix__outgoing_email_institution_id'),
                              ['institution_id'], unique=False)
    op.create_table(
        'mail_opt_out',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('address', sa.String(length=320), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('created_at', config.database.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk__mail_opt_out')),
        sa.UniqueConstraint('address', 'kind', name=op.f('uq__mail_opt_out__address')),
    )
    op.create_table(
        'notice_once',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('created_at', config.database.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk__notice_once')),
        sa.UniqueConstraint('key', name=op.f('uq__notice_once__key')),
    )


def downgrade() -> None:
    op.drop_table('notice_once')
    op.drop_table('mail_opt_out')
    with op.batch_alter_table('outgoing_email', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix__outgoing_email_institution_id'))
        batch_op.drop_column('unsubscribe_url')
        batch_op.drop_column('institution_id')
        batch_op.drop_column('kind')
