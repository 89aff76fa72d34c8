"""The dashboard's two queues carry their family's programme: a coordinator's count is one index range.

Revision ID: 0015_queue_programme
Revises: 0014_talk_partial
Create Date: 2026-12-02 16:15:00

The review queue and the open talk requests were counted by joining each row to its family for the
family's programme: on SQLite a search of the queue for each of the programme's 500 families, on
PostgreSQL a hash join, about 1 ms each on the large dataset, and both sections are on every
dashboard. A family never changes programme, so each row takes its family's when it is written, and
an index by (programme_id, created_at, visit_id) gives both the count and the oldest ten.
"""
import sqlalchemy as sa
from alembic import op


revision = '0015_queue_programme'
down_revision = '0014_talk_partial'
branch_labels = None
depends_on = None

OPEN = sa.text("talked_at IS NULL")
FAMILY_PROGRAMME = "(SELECT families.programme_id FROM families WHERE families.id = {table}.family_id)"


def upgrade():
    for table in ("review_queue", "talk_requests"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("programme_id", sa.Uuid(), nullable=True))
        op.execute(f"UPDATE {table} SET programme_id = {FAMILY_PROGRAMME.format(table=table)}")
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column("programme_id", existing_type=sa.Uuid(), nullable=False)
            batch_op.create_foreign_key(op.f(f"fk_{table}_programme_id_programmes"), "programmes",
                                        ["programme_id"], ["id"])
    op.drop_index("ix_review_queue_created_at", table_name="review_queue")
    op.create_index("ix_review_queue_programme", "review_queue", ["programme_id", "created_at", "visit_id"])
    op.drop_index("ix_talk_requests_open", table_name="talk_requests")
    op.create_index("ix_talk_requests_open", "talk_requests", ["programme_id", "created_at", "visit_id"],
                    sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade():
    op.drop_index("ix_talk_requests_open", table_name="talk_requests")
    op.create_index("ix_talk_requests_open", "talk_requests", ["created_at", "visit_id"],
                    sqlite_where=OPEN, postgresql_where=OPEN)
    op.drop_index("ix_review_queue_programme", table_name="review_queue")
    op.create_index("ix_review_queue_created_at", "review_queue", ["created_at"])
    for table in ("review_queue", "talk_requests"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(op.f(f"fk_{table}_programme_id_programmes"), type_="foreignkey")
            batch_op.drop_column("programme_id")
