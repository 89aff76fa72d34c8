"""Indexes for the dashboard's queues: concerns and addenda still waiting for acknowledgement.

Revision ID: 0011_queues
Revises: 0010_subject_access
Create Date: 2026-12-01 16:05:00

"Concerns not yet acknowledged" tested every concern of the programme (5,000 at a council's
scale) for a missing acknowledgement; with these the database reads only the few waiting.
"""
from alembic import op


revision = '0011_queues'
down_revision = '0010_subject_access'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_concerns_acknowledged_at", "concerns", ["acknowledged_at"])
    op.create_index("ix_concern_addenda_acknowledged_at", "concern_addenda", ["acknowledged_at"])


def downgrade():
    op.drop_index("ix_concern_addenda_acknowledged_at", table_name="concern_addenda")
    op.drop_index("ix_concerns_acknowledged_at", table_name="concerns")
