"""learners: wrong invite codes typed in a row, so a flood of guesses is slowed

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 12:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('learners', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wrong_codes', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('wrong_codes_since', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('learners', schema=None) as batch_op:
        batch_op.drop_column('wrong_codes_since')
        batch_op.drop_column('wrong_codes')
