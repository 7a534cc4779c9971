"""grade release: a submission's releases indexed in order, (submission_id, id)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06

Releasing a grade first reads the submission's latest release (``WHERE submission_id = ?
ORDER BY id DESC LIMIT 1``). With ``submission_id`` alone indexed, once PostgreSQL's
statistics said a submission has few releases it walked the primary key backwards from the
newest release, filtering on the submission: every release made since that submission's
last one, for each release (the passback bench's second run of 10,000 read 100 M tuples of
``pk__grade_release``). Indexed as (submission_id, id) the latest is the one entry the
index ends on for that submission; the index also serves every other lookup by submission.
"""

from __future__ import annotations

from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('grade_release', schema=None) as batch_op:
        batch_op.drop_index('ix__grade_release_submission_id')
        batch_op.create_index('ix__grade_release__submission_release', ['submission_id', 'id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('grade_release', schema=None) as batch_op:
        batch_op.drop_index('ix__grade_release__submission_release')
        batch_op.create_index('ix__grade_release_submission_id', ['submission_id'], unique=False)
