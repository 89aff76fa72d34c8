"""Subject access: audit events findable by family (backfilled), and the exports answered.

Revision ID: 0010_subject_access
Revises: 0007_records
Create Date: 2026-12-01 12:50:00

The new audit_events.family_id is not part of any row's hash, so `audit verify` passes before and
after. Existing rows are backfilled from the object each names (the family itself, a row with a
family_id, or a row whose parent has one).
"""
from alembic import op
import sqlalchemy as sa

import pwa.models.types


revision = '0010_subject_access'
down_revision = '0009_closure'
branch_labels = None
depends_on = None

DIRECT = ("children", "family_people", "visits", "concerns", "goals", "matches", "outcome_readings",
          "quarantined_items", "plan_details", "subject_access_exports")
THROUGH = (("concern_addenda", "concern_id", "concerns"), ("debrief_tasks", "concern_id", "concerns"),
           ("match_reviews", "match_id", "matches"), ("match_extensions", "match_id", "matches"),
           ("visit_reviews", "visit_id", "visits"), ("child_changes", "child_id", "children"))


def _id_forms():
    """(a guard that object_id is a UUID, the object_id as the table's id) for this database."""
    if op.get_bind().dialect.name == "sqlite":
        return "length(audit_events.object_id) = 36", "lower(replace(audit_events.object_id, '-', ''))"
    return ("audit_events.object_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'",
            "CAST(audit_events.object_id AS uuid)")


def backfill():
    """Give every existing event the family it was about."""
    guard, as_id = _id_forms()
    run = op.execute
    run(f"UPDATE audit_events SET family_id = {as_id} WHERE object_type = 'families' AND {guard}")
    for table in DIRECT:
        run(f"UPDATE audit_events SET family_id = (SELECT t.family_id FROM {table} t WHERE t.id = {as_id}) "
            f"WHERE object_type = '{table}' AND {guard}")
    for table, column, parent in THROUGH:
        run(f"UPDATE audit_events SET family_id = (SELECT p.family_id FROM {table} t JOIN {parent} p "
            f"ON p.id = t.{column} WHERE t.id = {as_id}) WHERE object_type = '{table}' AND {guard}")


def upgrade():
    op.create_table('subject_access_exports',
    sa.Column('family_id', sa.Uuid(), nullable=False),
    sa.Column('made_by_id', sa.Uuid(), nullable=False),
    sa.Column('reason', pwa.models.types.EncryptedText(), nullable=False),
    sa.Column('made_at', pwa.models.types.UTCDateTime(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['family_id'], ['families.id'], name=op.f('fk_subject_access_exports_family_id_families'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['made_by_id'], ['users.id'], name=op.f('fk_subject_access_exports_made_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subject_access_exports'))
    )
    op.create_index(op.f('ix_subject_access_exports_family_id'), 'subject_access_exports', ['family_id'],
                    unique=False)
    op.add_column('audit_events', sa.Column('family_id', sa.Uuid(), nullable=True))
    backfill()
    op.create_index('ix_audit_events_family', 'audit_events', ['family_id', 'id'], unique=False)
    op.create_index('ix_audit_events_family_actor', 'audit_events', ['family_id', 'actor_id', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_audit_events_family_actor', table_name='audit_events')
    op.drop_index('ix_audit_events_family', table_name='audit_events')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_column('family_id')
    op.drop_index(op.f('ix_subject_access_exports_family_id'), table_name='subject_access_exports')
    op.drop_table('subject_access_exports')
