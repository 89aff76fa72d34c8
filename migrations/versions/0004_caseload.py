"""caseload: last visit per family, the families' blind search index, talk requests, mentor profiles

Revision ID: 0004_caseload
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

import pwa.models.types

revision = "0004_caseload"
down_revision = "0002_quarantine"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("families", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_visit_on", sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f("ix_families_last_visit_on"), ["last_visit_on"], unique=False)
    op.create_table(
        "family_search_tokens",
        sa.Column("token", sa.LargeBinary(length=16), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["family_id"], ["families.id"], name=op.f("fk_family_search_tokens_family_id_families"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token", "family_id", name=op.f("pk_family_search_tokens")),
    )
    with op.batch_alter_table("family_search_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_family_search_tokens_family_id"), ["family_id"], unique=False)
    op.create_table(
        "talk_requests",
        sa.Column("visit_id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("mentor_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", pwa.models.types.UTCDateTime(), nullable=False),
        sa.Column("talked_at", pwa.models.types.UTCDateTime(), nullable=True),
        sa.Column("talked_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["family_id"], ["families.id"], name=op.f("fk_talk_requests_family_id_families"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["mentor_id"], ["users.id"], name=op.f("fk_talk_requests_mentor_id_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["talked_by_id"], ["users.id"], name=op.f("fk_talk_requests_talked_by_id_users")),
        sa.ForeignKeyConstraint(["visit_id"], ["visits.id"], name=op.f("fk_talk_requests_visit_id_visits"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("visit_id", name=op.f("pk_talk_requests")),
    )
    with op.batch_alter_table("talk_requests", schema=None) as batch_op:
        batch_op.create_index("ix_talk_requests_family_open", ["family_id", "talked_at"], unique=False)
    op.create_table(
        "mentor_profiles",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("languages", pwa.models.types.EncryptedText(), nullable=True),
        sa.Column("area", pwa.models.types.EncryptedText(), nullable=True),
        sa.Column("updated_at", pwa.models.types.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_mentor_profiles_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor_profiles")),
        sa.UniqueConstraint("user_id", name=op.f("uq_mentor_profiles_user_id")),
    )
    _backfill()


def _backfill():
    """Last visits and open talk flags from the diary; the search index needs the data keys (below)."""
    op.execute("UPDATE families SET last_visit_on = (SELECT max(v.visit_on) FROM visits v WHERE v.family_id = "
               "families.id AND NOT EXISTS (SELECT 1 FROM visits c WHERE c.corrects_id = v.id))")
    op.execute("INSERT INTO talk_requests (visit_id, family_id, mentor_id, created_at) "
               "SELECT v.id, v.family_id, v.author_id, v.created_at FROM visits v "
               "JOIN review_queue q ON q.visit_id = v.id WHERE v.talk_to_coordinator")
    try:
        from pwa.models.caseload import rebuild_all

        rebuild_all(op.get_bind())
    except RuntimeError:  # no keyring in this process: `flask keys rotate --reencrypt-only` builds the index
        pass


def downgrade():
    op.drop_table("mentor_profiles")
    with op.batch_alter_table("talk_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_talk_requests_family_open")
    op.drop_table("talk_requests")
    with op.batch_alter_table("family_search_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_family_search_tokens_family_id"))
    op.drop_table("family_search_tokens")
    with op.batch_alter_table("families", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_families_last_visit_on"))
        batch_op.drop_column("last_visit_on")
