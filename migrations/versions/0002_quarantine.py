"""A concern is never refused for a missing detail; the server never drops a sealed item.

concerns: the immediate-danger call check goes (a concern without call details
is stored and marked), and `missing` marks what it was raised without.
quarantined_items: what the sync endpoint opened but could not store.

Revision ID: 0002_quarantine
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

import pwa.models.types

revision = "0002_quarantine"
down_revision = "0001"
branch_labels = None
depends_on = None

REASONS = ("invalid", "out_of_reach", "conflict", "error", "unopenable")
OUTCOMES = ("recorded", "dismissed")


def upgrade():
    with op.batch_alter_table("concerns", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_concerns_immediate_call_recorded"), type_="check")
        batch_op.add_column(sa.Column("missing", sa.String(length=100), nullable=True))
    op.create_table(
        "quarantined_items",
        sa.Column("client_uuid", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("programme_id", sa.Uuid(), nullable=True),
        sa.Column("family_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.Enum(*REASONS, name="held_reason", create_constraint=True), nullable=False),
        sa.Column("errors", pwa.models.types.EncryptedText(), nullable=True),
        sa.Column("body", pwa.models.types.EncryptedText(), nullable=True),
        sa.Column("sealed", sa.Text(), nullable=True),
        sa.Column("received_at", pwa.models.types.UTCDateTime(), nullable=False),
        sa.Column("outcome", sa.Enum(*OUTCOMES, name="held_outcome", create_constraint=True), nullable=True),
        sa.Column("dealt_at", pwa.models.types.UTCDateTime(), nullable=True),
        sa.Column("dealt_by_id", sa.Uuid(), nullable=True),
        sa.Column("note", pwa.models.types.EncryptedText(), nullable=True),
        sa.Column("record_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("body IS NOT NULL OR sealed IS NOT NULL", name=op.f("ck_quarantined_items_content_kept")),
        sa.CheckConstraint("(dealt_at IS NULL) = (outcome IS NULL) AND (dealt_at IS NULL) = (dealt_by_id IS NULL)",
                           name=op.f("ck_quarantined_items_dealt_complete")),
        sa.CheckConstraint("outcome IS NULL OR outcome != 'dismissed' OR note IS NOT NULL",
                           name=op.f("ck_quarantined_items_dismissal_noted")),
        sa.CheckConstraint("outcome IS NULL OR outcome != 'recorded' OR record_id IS NOT NULL",
                           name=op.f("ck_quarantined_items_record_named")),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_quarantined_items_author_id_users")),
        sa.ForeignKeyConstraint(["dealt_by_id"], ["users.id"], name=op.f("fk_quarantined_items_dealt_by_id_users")),
        sa.ForeignKeyConstraint(["family_id"], ["families.id"], name=op.f("fk_quarantined_items_family_id_families")),
        sa.ForeignKeyConstraint(["programme_id"], ["programmes.id"],
                                name=op.f("fk_quarantined_items_programme_id_programmes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantined_items")),
        sa.UniqueConstraint("client_uuid", name=op.f("uq_quarantined_items_client_uuid")),
    )
    with op.batch_alter_table("quarantined_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quarantined_items_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quarantined_items_programme_id"), ["programme_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quarantined_items_received_at"), ["received_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_quarantined_items_dealt_at"), ["dealt_at"], unique=False)


def downgrade():
    with op.batch_alter_table("quarantined_items", schema=None) as batch_op:
        for name in ("dealt_at", "received_at", "programme_id", "author_id"):
            batch_op.drop_index(batch_op.f(f"ix_quarantined_items_{name}"))
    op.drop_table("quarantined_items")
    sa.Enum(name="held_outcome").drop(op.get_bind(), checkfirst=True)
    sa.Enum(name="held_reason").drop(op.get_bind(), checkfirst=True)
    with op.batch_alter_table("concerns", schema=None) as batch_op:
        batch_op.drop_column("missing")
        batch_op.create_check_constraint(
            op.f("ck_concerns_immediate_call_recorded"), "urgency != 'immediate' OR (who_called IS NOT NULL AND called_at IS NOT NULL)")
