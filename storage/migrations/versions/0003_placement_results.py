"""placement results

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 14:11:48.675164
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('placement_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=32), nullable=False),
    sa.Column('right', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('taken_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['learner_id'], ['learners.id'], name=op.f('fk_placement_results_learner_id_learners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_placement_results'))
    )
    with op.batch_alter_table('placement_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_placement_results_learner_id'), ['learner_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('placement_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_placement_results_learner_id'))

    op.drop_table('placement_results')

