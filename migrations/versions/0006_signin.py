"""sign-in: programme single sign-on; the two-person rule on accounts

Revision ID: 0006_signin
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import pwa.models.types

revision = "0006_signin"
down_revision = "0005_mfa"
branch_labels = None
depends_on = None

USER_FKS = ("approval_requested_by_id", "approved_by_id", "disabled_by_id")


def _role():
    """The existing `role` type (PostgreSQL: not created again)."""
    return sa.Enum("admin", "coordinator", "social_worker", "mentor", name="role", create_constraint=True) \
        .with_variant(postgresql.ENUM("admin", "coordinator", "social_worker", "mentor", name="role",
                                      create_type=False), "postgresql")


def upgrade():
    op.create_table(
        "programme_sso",
        sa.Column("programme_id", sa.Uuid(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("issuer", sa.String(length=300), nullable=False),
        sa.Column("client_id", sa.String(length=200), nullable=False),
        sa.Column("client_secret", pwa.models.types.EncryptedText(), nullable=False),
        sa.Column("allowed_domains", sa.Text(), nullable=False),
        sa.Column("role", _role(), nullable=False),
        sa.Column("updated_at", pwa.models.types.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("role <> 'admin'", name=op.f("ck_programme_sso_sso_not_admin")),
        sa.ForeignKeyConstraint(["programme_id"], ["programmes.id"],
                                name=op.f("fk_programme_sso_programme_id_programmes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_sso")),
        sa.UniqueConstraint("programme_id", name=op.f("uq_programme_sso_programme_id")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        for column in USER_FKS:
            batch_op.add_column(sa.Column(column, sa.Uuid(), nullable=True))
            batch_op.create_foreign_key(batch_op.f(f"fk_users_{column}_users"), "users", [column], ["id"])
        batch_op.add_column(sa.Column("approved_at", pwa.models.types.UTCDateTime(), nullable=True))
        batch_op.create_check_constraint(batch_op.f("ck_users_pending_inactive"),
                                         "approval_requested_by_id IS NULL OR NOT active")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_at", ["at"], unique=False)


def downgrade():
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_at")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_users_pending_inactive"), type_="check")
        batch_op.drop_column("approved_at")
        for column in reversed(USER_FKS):
            batch_op.drop_constraint(batch_op.f(f"fk_users_{column}_users"), type_="foreignkey")
            batch_op.drop_column(column)
    op.drop_table("programme_sso")
