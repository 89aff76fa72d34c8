"""Aggregates that don't scan: monthly visit tallies per match (filled from the diary here), and two
indexes for the dashboard's last-30-days sections (attempted visits, adults not met before) and the
impact report's part-months (visit_on).

Revision ID: 0008_aggregates
Revises: 0007_records
Create Date: 2026-12-01 13:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_aggregates'
down_revision = '0007_records'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('visit_tallies',
    sa.Column('match_id', sa.Uuid(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('family_id', sa.Uuid(), nullable=False),
    sa.Column('visits', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('tenth_miles', sa.Integer(), nullable=False),
    sa.Column('reviewed_fast', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['family_id'], ['families.id'], name=op.f('fk_visit_tallies_family_id_families')),
    sa.ForeignKeyConstraint(['match_id'], ['matches.id'], name=op.f('fk_visit_tallies_match_id_matches')),
    sa.PrimaryKeyConstraint('match_id', 'month', name=op.f('pk_visit_tallies'))
    )
    with op.batch_alter_table('visit_tallies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_tallies_family_id'), ['family_id'], unique=False)
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.create_index('ix_visits_outcome_visit_on', ['outcome', 'visit_on'], unique=False)
        batch_op.create_index('ix_visits_unknown_adult_visit_on', ['unknown_adult', 'visit_on'], unique=False)
        batch_op.create_index('ix_visits_visit_on', ['visit_on'], unique=False)
    from pwa.reports.tallies import rebuild_on

    rebuild_on(op.get_bind())


def downgrade():
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_index('ix_visits_visit_on')
        batch_op.drop_index('ix_visits_unknown_adult_visit_on')
        batch_op.drop_index('ix_visits_outcome_visit_on')
    with op.batch_alter_table('visit_tallies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_tallies_family_id'))
    op.drop_table('visit_tallies')
