"""An index for the dashboard's "Mentors asking to talk to you": open requests, oldest first.

Revision ID: 0013_talk_open
Revises: 0012_pack
Create Date: 2026-12-01 22:55:00

The section sorted every open request of the programme (4,000 at a council's scale) to show
the first ten; read by (talked_at, created_at), the open ones come in order and the list stops
at its tenth.
"""
from alembic import op


revision = '0013_talk_open'
down_revision = '0012_pack'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_talk_requests_open_oldest", "talk_requests", ["talked_at", "created_at", "visit_id"])


def downgrade():
    op.drop_index("ix_talk_requests_open_oldest", table_name="talk_requests")
