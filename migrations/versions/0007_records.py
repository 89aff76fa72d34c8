"""Records fit for child protection work: plan details, people around the family, child corrections,
consent scope and withdrawal, which children a concern is about, attempted visits and unknown adults.

Revision ID: 0007_records
Revises: 0005_mfa
Create Date: 2026-12-01 09:32:04.912694

"""
from alembic import op
import sqlalchemy as sa

import pwa.models.types


# revision identifiers, used by Alembic.
revision = '0007_records'
down_revision = '0006_signin'
branch_labels = None
depends_on = None


WITHDRAWAL_METHOD = sa.Enum('written', 'in_person', 'phone', name='withdrawal_method', create_constraint=True)
VISIT_OUTCOME = sa.Enum('completed', 'no_answer', 'cancelled', 'family_out', name='visit_outcome',
                        create_constraint=True)


def SQLITE() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade():
    # Added columns of a new enum type: PostgreSQL needs the type made first.
    WITHDRAWAL_METHOD.create(op.get_bind(), checkfirst=True)
    VISIT_OUTCOME.create(op.get_bind(), checkfirst=True)
    op.create_table('family_people',
    sa.Column('family_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.Enum('parent_carer', 'professional', name='person_kind', create_constraint=True), nullable=False),
    sa.Column('name', pwa.models.types.EncryptedText(), nullable=False),
    sa.Column('role', pwa.models.types.EncryptedText(), nullable=True),
    sa.Column('agency', pwa.models.types.EncryptedText(), nullable=True),
    sa.Column('contact', pwa.models.types.EncryptedText(), nullable=True),
    sa.Column('added_by_id', sa.Uuid(), nullable=False),
    sa.Column('added_at', pwa.models.types.UTCDateTime(), nullable=False),
    sa.Column('removed_at', pwa.models.types.UTCDateTime(), nullable=True),
    sa.Column('removed_by_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint('(removed_at IS NULL) = (removed_by_id IS NULL)', name=op.f('ck_family_people_removal_complete')),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_family_people_added_by_id_users')),
    sa.ForeignKeyConstraint(['family_id'], ['families.id'], name=op.f('fk_family_people_family_id_families')),
    sa.ForeignKeyConstraint(['removed_by_id'], ['users.id'], name=op.f('fk_family_people_removed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_family_people'))
    )
    with op.batch_alter_table('family_people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_family_people_family_id'), ['family_id'], unique=False)

    op.create_table('plan_details',
    sa.Column('family_id', sa.Uuid(), nullable=False),
    sa.Column('plan_started_on', sa.Date(), nullable=True),
    sa.Column('cp_category', sa.Enum('neglect', 'emotional', 'physical', 'sexual', 'multiple', name='cp_category', create_constraint=True), nullable=True),
    sa.Column('council_reference', pwa.models.types.EncryptedText(), nullable=True),
    sa.Column('next_conference_on', sa.Date(), nullable=True),
    sa.Column('next_core_group_on', sa.Date(), nullable=True),
    sa.Column('next_review_on', sa.Date(), nullable=True),
    sa.Column('risks', pwa.models.types.EncryptedText(), nullable=True),
    sa.Column('lone_working', pwa.models.types.EncryptedText(), nullable=True),
    sa.Column('updated_by_id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', pwa.models.types.UTCDateTime(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['family_id'], ['families.id'], name=op.f('fk_plan_details_family_id_families')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_plan_details_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_details')),
    sa.UniqueConstraint('family_id', name=op.f('uq_plan_details_family_id'))
    )
    op.create_table('child_changes',
    sa.Column('child_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.Enum('corrected', 'removed', name='child_change_kind', create_constraint=True), nullable=False),
    sa.Column('reason', pwa.models.types.EncryptedText(), nullable=False),
    sa.Column('changed_by_id', sa.Uuid(), nullable=False),
    sa.Column('changed_at', pwa.models.types.UTCDateTime(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_child_changes_changed_by_id_users')),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_child_changes_child_id_children')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_child_changes'))
    )
    with op.batch_alter_table('child_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_child_changes_child_id'), ['child_id'], unique=False)

    op.create_table('concern_children',
    sa.Column('concern_id', sa.Uuid(), nullable=False),
    sa.Column('child_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_concern_children_child_id_children')),
    sa.ForeignKeyConstraint(['concern_id'], ['concerns.id'], name=op.f('fk_concern_children_concern_id_concerns')),
    sa.PrimaryKeyConstraint('concern_id', 'child_id', name=op.f('pk_concern_children'))
    )
    with op.batch_alter_table('concern_children', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concern_children_child_id'), ['child_id'], unique=False)

    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expected_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('removed_at', pwa.models.types.UTCDateTime(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_children_born_or_expected'),
                                         'date_of_birth IS NULL OR expected_on IS NULL')

    with op.batch_alter_table('families', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_scope', pwa.models.types.EncryptedText(), nullable=True))
        batch_op.add_column(sa.Column('consent_recorded_at', pwa.models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('consent_withdrawn_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('consent_withdrawn_method', WITHDRAWAL_METHOD, nullable=True))
        batch_op.add_column(sa.Column('consent_withdrawn_by_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('consent_withdrawn_at', pwa.models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('consent_withdrawal_note', pwa.models.types.EncryptedText(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_families_consent_withdrawn_by_id_users'), 'users', ['consent_withdrawn_by_id'], ['id'])

    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('support_started_at', pwa.models.types.UTCDateTime(), nullable=True))

    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome', VISIT_OUTCOME, server_default='completed', nullable=False))
        batch_op.add_column(sa.Column('unknown_adult', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('unknown_adult_note', pwa.models.types.EncryptedText(), nullable=True))



def downgrade():
    with op.batch_alter_table('visits', schema=None) as batch_op:
        if SQLITE():  # PostgreSQL keeps an enum as a type, not a check constraint
            batch_op.drop_constraint(op.f('ck_visits_visit_outcome'), type_='check')
        batch_op.drop_column('unknown_adult_note')
        batch_op.drop_column('unknown_adult')
        batch_op.drop_column('outcome')

    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.drop_column('support_started_at')

    with op.batch_alter_table('families', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_families_consent_withdrawn_by_id_users'), type_='foreignkey')
        if SQLITE():
            batch_op.drop_constraint(op.f('ck_families_withdrawal_method'), type_='check')
        batch_op.drop_column('consent_withdrawal_note')
        batch_op.drop_column('consent_withdrawn_at')
        batch_op.drop_column('consent_withdrawn_by_id')
        batch_op.drop_column('consent_withdrawn_method')
        batch_op.drop_column('consent_withdrawn_on')
        batch_op.drop_column('consent_recorded_at')
        batch_op.drop_column('consent_scope')

    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_children_born_or_expected'), type_='check')
        batch_op.drop_column('removed_at')
        batch_op.drop_column('expected_on')

    with op.batch_alter_table('concern_children', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concern_children_child_id'))

    op.drop_table('concern_children')
    with op.batch_alter_table('child_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_child_changes_child_id'))

    op.drop_table('child_changes')
    op.drop_table('plan_details')
    with op.batch_alter_table('family_people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_family_people_family_id'))

    op.drop_table('family_people')
    VISIT_OUTCOME.drop(op.get_bind(), checkfirst=True)
    WITHDRAWAL_METHOD.drop(op.get_bind(), checkfirst=True)
    for name in ('cp_category', 'person_kind', 'child_change_kind'):
        sa.Enum(name=name).drop(op.get_bind(), checkfirst=True)
