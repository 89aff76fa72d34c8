"""Closing a family's case and reopening it, legal holds, and the retention schedule's overrides and deletions.

Revision ID: 0009_closure
Revises: 0007_records
Create Date: 2026-12-01 12:45:00

"""
from alembic import op
import sqlalchemy as sa

import pwa.models.types


# revision identifiers, used by Alembic.
revision = '0009_closure'
down_revision = '0008_aggregates'
branch_labels = None
depends_on = None

REASONS = ('plan_completed', 'stepped_down', 'family_declined', 'moved_away', 'escalated', 'not_suitable', 'other')


def upgrade():
    op.create_table('family_closures',
    sa.Column('family_id', sa.Uuid(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Enum(*REASONS, name='closure_reason', create_constraint=True), nullable=False),
    sa.Column('note', pwa.models.types.EncryptedText(), nullable=False),
    sa.Column('closed_by_id', sa.Uuid(), nullable=False),
    sa.Column('closed_at', pwa.models.types.UTCDateTime(), nullable=False),
    sa.Column('reopened_at', pwa.models.types.UTCDateTime(), nullable=True),
    sa.Column('reopened_by_id', sa.Uuid(), nullable=True),
    sa.Column('reopen_reason', pwa.models.types.EncryptedText(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint('(reopened_at IS NULL) = (reopened_by_id IS NULL) AND (reopened_at IS NULL) = (reopen_reason IS NULL)',
                       name=op.f('ck_family_closures_reopening_complete')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_family_closures_closed_by_id_users')),
    sa.ForeignKeyConstraint(['family_id'], ['families.id'], name=op.f('fk_family_closures_family_id_families')),
    sa.ForeignKeyConstraint(['reopened_by_id'], ['users.id'], name=op.f('fk_family_closures_reopened_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_family_closures'))
    )
    with op.batch_alter_table('family_closures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_family_closures_family_id'), ['family_id'], unique=False)

    op.create_table('legal_holds',
    sa.Column('family_id', sa.Uuid(), nullable=False),
    sa.Column('reason', pwa.models.types.EncryptedText(), nullable=False),
    sa.Column('set_by_id', sa.Uuid(), nullable=False),
    sa.Column('set_at', pwa.models.types.UTCDateTime(), nullable=False),
    sa.Column('lifted_at', pwa.models.types.UTCDateTime(), nullable=True),
    sa.Column('lifted_by_id', sa.Uuid(), nullable=True),
    sa.Column('lift_reason', pwa.models.types.EncryptedText(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint('(lifted_at IS NULL) = (lifted_by_id IS NULL) AND (lifted_at IS NULL) = (lift_reason IS NULL)',
                       name=op.f('ck_legal_holds_lifting_complete')),
    sa.ForeignKeyConstraint(['family_id'], ['families.id'], name=op.f('fk_legal_holds_family_id_families')),
    sa.ForeignKeyConstraint(['lifted_by_id'], ['users.id'], name=op.f('fk_legal_holds_lifted_by_id_users')),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_legal_holds_set_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_holds'))
    )
    with op.batch_alter_table('legal_holds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_legal_holds_family_id'), ['family_id'], unique=False)

    op.create_table('retention_overrides',
    sa.Column('programme_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('years', sa.Integer(), nullable=False),
    sa.Column('until_age', sa.Integer(), nullable=True),
    sa.Column('changed_at', pwa.models.types.UTCDateTime(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint('until_age IS NULL OR until_age BETWEEN 18 AND 100', name=op.f('ck_retention_overrides_age_range')),
    sa.CheckConstraint('years BETWEEN 1 AND 100', name=op.f('ck_retention_overrides_years_range')),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_retention_overrides_programme_id_programmes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retention_overrides')),
    sa.UniqueConstraint('programme_id', 'kind', name='uq_retention_overrides_programme_kind')
    )
    op.create_table('retention_deletions',
    sa.Column('family_id', sa.Uuid(), nullable=False),
    sa.Column('programme_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('rule', sa.String(length=120), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('deleted_at', pwa.models.types.UTCDateTime(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_retention_deletions_programme_id_programmes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retention_deletions'))
    )
    with op.batch_alter_table('retention_deletions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_retention_deletions_family_id'), ['family_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_retention_deletions_programme_id'), ['programme_id'], unique=False)

    with op.batch_alter_table('families', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('families', schema=None) as batch_op:
        batch_op.drop_column('closed_on')
    with op.batch_alter_table('retention_deletions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_retention_deletions_programme_id'))
        batch_op.drop_index(batch_op.f('ix_retention_deletions_family_id'))
    op.drop_table('retention_deletions')
    op.drop_table('retention_overrides')
    with op.batch_alter_table('legal_holds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_legal_holds_family_id'))
    op.drop_table('legal_holds')
    with op.batch_alter_table('family_closures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_family_closures_family_id'))
    op.drop_table('family_closures')
    sa.Enum(name='closure_reason').drop(op.get_bind(), checkfirst=True)
