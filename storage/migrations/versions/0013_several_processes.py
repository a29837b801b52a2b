"""several coach processes on one database: who sends which reply, one send budget per bot

A stored reply is held by the process that sends it until ``held_until``; a
process renews its holds while it lives, so one that died leaves its replies
to the others once the hold lapses. ``send_budgets`` keeps each bot's next
free send slot, shared by every process that sends for it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('replies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_by', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('held_until', sa.DateTime(), nullable=True))
    op.create_table('send_budgets',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('next_slot', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_send_budgets')),
    )


def downgrade() -> None:
    op.drop_table('send_budgets')
    with op.batch_alter_table('replies', schema=None) as batch_op:
        batch_op.drop_column('held_until')
        batch_op.drop_column('held_by')
