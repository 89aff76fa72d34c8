"""Prepared report packs: a family's pack for a period, prepared by the worker, kept encrypted until it expires.

Revision ID: 0012_pack
Revises: 0011_queues
Create Date: 2026-12-01 16:00:00
"""
from alembic import op
import sqlalchemy as sa

import pwa.models.types


revision = '0012_pack'
down_revision = '0011_queues'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('prepared_packs',
    sa.Column('family_id', sa.Uuid(), nullable=False),
    sa.Column('prepared_for_id', sa.Uuid(), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('until', sa.Date(), nullable=False),
    sa.Column('requested_at', pwa.models.types.UTCDateTime(), nullable=False),
    sa.Column('prepared_at', pwa.models.types.UTCDateTime(), nullable=True),
    sa.Column('expires_at', pwa.models.types.UTCDateTime(), nullable=False),
    sa.Column('pdf', pwa.models.types.EncryptedText(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['family_id'], ['families.id'], name=op.f('fk_prepared_packs_family_id_families'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['prepared_for_id'], ['users.id'], name=op.f('fk_prepared_packs_prepared_for_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prepared_packs')),
    sa.UniqueConstraint('family_id', 'prepared_for_id', 'since', 'until', name='uq_prepared_packs_family_for_range')
    )
    op.create_index(op.f('ix_prepared_packs_family_id'), 'prepared_packs', ['family_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_prepared_packs_family_id'), table_name='prepared_packs')
    op.drop_table('prepared_packs')
