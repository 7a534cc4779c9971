"""employer invitations and roles; employer verification per institution

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

An invitation used to create the invitee's member row at once, binding the address to the
inviter's organisation for good. Invitations now live in ``employer_invitation`` until the
invitee proves the address and accepts; unanswered invitations of the old kind (members who
never signed in and were invited by someone) move there. Members get a role: whoever created
the organisation (no inviter) is its owner.

A curator's "verified" used to be one flag on the organisation for every institution. It is
now a row per institution (``employer_verification``). The organisation's own flag keeps only
what is true everywhere: its proven email domain matches its website. Flags a curator set
are cleared (which institution set them was not recorded); curators verify again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import config.database

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'employer_invitation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('employer_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=320), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('invited_by_id', sa.Integer(), nullable=True),
        sa.Column('invitation_email_id', sa.Integer(), nullable=True),
        sa.Column('expires_at', config.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column('accepted_at', config.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column('created_at', config.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['employer_id'], ['employer_org.id'],
                                name=op.f('fk__employer_invitation__employer_id__employer_org'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['invited_by_id'], ['employer_member.id'],
                                name=op.f('fk__employer_invitation__invited_by_id__employer_member'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['invitation_email_id'], ['outgoing_email.id'],
                                name=op.f('fk__employer_invitation__invitation_email_id__outgoing_email'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk__employer_invitation')),
    )
    with op.batch_alter_table('employer_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix__employer_invitation_employer_id'), ['employer_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix__employer_invitation_email'), ['email'], unique=False)

    with op.batch_alter_table('employer_member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=10), nullable=False,
                                      server_default='member'))
    op.execute("UPDATE employer_member SET role = 'owner' WHERE invited_by_id IS NULL")
    op.execute(
        "INSERT INTO employer_invitation (employer_id, email, name, invited_by_id, "
        "invitation_email_id, expires_at, accepted_at, created_at) "
        "SELECT employer_id, email, name, invited_by_id, invitation_email_id, "
        "created_at, NULL, created_at FROM employer_member "
        "WHERE joined_at IS NULL AND invited_by_id IS NOT NULL"
    )
    op.execute("DELETE FROM employer_member WHERE joined_at IS NULL AND invited_by_id IS NOT NULL")

    op.create_table(
        'employer_verification',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('institution_id', sa.Integer(), nullable=False),
        sa.Column('employer_id', sa.Integer(), nullable=False),
        sa.Column('note', sa.String(length=300), nullable=False),
        sa.Column('created_at', config.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['institution_id'], ['institution.id'],
                                name=op.f('fk__employer_verification__institution_id__institution'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['employer_id'], ['employer_org.id'],
                                name=op.f('fk__employer_verification__employer_id__employer_org'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk__employer_verification')),
        sa.UniqueConstraint('institution_id', 'employer_id',
                            name=op.f('uq__employer_verification__institution_id')),
    )
    with op.batch_alter_table('employer_verification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix__employer_verification_employer_id'),
                              ['employer_id'], unique=False)
    op.execute(
        "UPDATE employer_org SET verified_at = NULL, verification_note = '' "
        "WHERE verified_at IS NOT NULL AND verification_note NOT LIKE 'Email domain %'"
    )


def downgrade() -> None:
    with op.batch_alter_table('employer_verification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix__employer_verification_employer_id'))
    op.drop_table('employer_verification')
    with op.batch_alter_table('employer_member', schema=None) as batch_op:
        batch_op.drop_column('role')
    with op.batch_alter_table('employer_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix__employer_invitation_email'))
        batch_op.drop_index(batch_op.f('ix__employer_invitation_employer_id'))
    op.drop_table('employer_invitation')
