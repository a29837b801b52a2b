"""digest privacy: share opt-in, home organisation, anonymous totals

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 14:44:05.040059
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('anonymous_totals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('topic', sa.String(length=32), nullable=False),
    sa.Column('learners_active', sa.Integer(), nullable=False),
    sa.Column('lessons_completed', sa.Integer(), nullable=False),
    sa.Column('answers_right', sa.Integer(), nullable=False),
    sa.Column('answers_total', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_anonymous_totals_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_anonymous_totals')),
    sa.UniqueConstraint('team_id', 'week', 'topic', name=op.f('uq_anonymous_totals_team_id_week_topic'))
    )
    with op.batch_alter_table('roles', schema=None) as batch_op:
        batch_op.create_index('ix_roles_team_role', ['team_id', 'role'], unique=False)

    with op.batch_alter_table('learners', schema=None) as batch_op:
        batch_op.add_column(sa.Column('share_name', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_learners_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_learners_organisation_id_organisations'), 'organisations', ['organisation_id'], ['id'], ondelete='SET NULL')



def downgrade() -> None:
    with op.batch_alter_table('learners', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_learners_organisation_id_organisations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_learners_organisation_id'))
        batch_op.drop_column('organisation_id')
        batch_op.drop_column('share_name')

    with op.batch_alter_table('roles', schema=None) as batch_op:
        batch_op.drop_index('ix_roles_team_role')

    op.drop_table('anonymous_totals')
