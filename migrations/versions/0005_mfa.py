"""Second factors: authenticator-app secrets, passkeys, recovery codes, remembered devices

Revision ID: 0005_mfa
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

import pwa.models.types

revision = "0005_mfa"
down_revision = "0001"
branch_labels = None
depends_on = None


def _owned(name: str, *columns) -> None:
    """A table of rows belonging to one user, with the usual id, foreign key and index."""
    op.create_table(
        name,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        *columns,
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f(f"fk_{name}_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    )
    with op.batch_alter_table(name) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{name}_user_id"), ["user_id"], unique=False)


def upgrade():
    _owned("totp_secrets",
           sa.Column("secret", pwa.models.types.EncryptedText(), nullable=False),
           sa.Column("last_step", sa.BigInteger(), nullable=True),
           sa.Column("confirmed_at", pwa.models.types.UTCDateTime(), nullable=True),
           sa.Column("created_at", pwa.models.types.UTCDateTime(), nullable=False))
    _owned("passkeys",
           sa.Column("credential_id", sa.LargeBinary(), nullable=False),
           sa.Column("public_key", sa.LargeBinary(), nullable=False),
           sa.Column("sign_count", sa.BigInteger(), nullable=False),
           sa.Column("label", sa.String(length=80), nullable=False),
           sa.Column("created_at", pwa.models.types.UTCDateTime(), nullable=False),
           sa.Column("last_used_at", pwa.models.types.UTCDateTime(), nullable=True),
           sa.UniqueConstraint("credential_id", name=op.f("uq_passkeys_credential_id")))
    _owned("recovery_codes",
           sa.Column("code_hash", sa.String(length=64), nullable=False),
           sa.Column("used_at", pwa.models.types.UTCDateTime(), nullable=True),
           sa.UniqueConstraint("code_hash", name=op.f("uq_recovery_codes_code_hash")))
    _owned("remembered_devices",
           sa.Column("token_hash", sa.String(length=64), nullable=False),
           sa.Column("expires_at", pwa.models.types.UTCDateTime(), nullable=False),
           sa.Column("created_at", pwa.models.types.UTCDateTime(), nullable=False),
           sa.UniqueConstraint("token_hash", name=op.f("uq_remembered_devices_token_hash")))
    with op.batch_alter_table("programmes") as batch_op:
        batch_op.add_column(sa.Column("remember_device_days", sa.Integer(), server_default="0", nullable=False))


def downgrade():
    with op.batch_alter_table("programmes") as batch_op:
        batch_op.drop_column("remember_device_days")
    for name in ("remembered_devices", "recovery_codes", "passkeys", "totp_secrets"):
        with op.batch_alter_table(name) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{name}_user_id"))
        op.drop_table(name)
