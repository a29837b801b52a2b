"""reply outbox; handled events pruned by age

Handled events are now stored as digests of the adapters' keys. Rows written
before keep their plain ids: they match no new key and are pruned by age like
the rest, since a platform redelivers only for a day or so.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 11:33:19.298349
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=True),
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('chat_id', sa.String(length=255), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('origin', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['learner_id'], ['learners.id'], name=op.f('fk_replies_learner_id_learners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_replies')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('replies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_replies_learner_id'), ['learner_id'], unique=False)
        batch_op.create_index('ix_replies_waiting', ['platform', 'status', 'id'], unique=False)

    with op.batch_alter_table('handled_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handled_events_handled_at'), ['handled_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('handled_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handled_events_handled_at'))

    with op.batch_alter_table('replies', schema=None) as batch_op:
        batch_op.drop_index('ix_replies_waiting')
        batch_op.drop_index(batch_op.f('ix_replies_learner_id'))

    op.drop_table('replies')
