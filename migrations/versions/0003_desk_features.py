"""Hand-off briefs, the takeover holder, closing and rating, advisor
availability, model call records, approved answers and canned responses.

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TABLE = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci", "mysql_engine": "InnoDB"}


def upgrade():
    with op.batch_alter_table("chats") as batch:
        batch.add_column(sa.Column("brief", sa.Text))
        batch.add_column(sa.Column("taken_by", BigId, sa.ForeignKey("admins.id", name="fk_chats_taken_by")))
        batch.add_column(sa.Column("first_human_reply_at", Timestamp))
        batch.add_column(sa.Column("closed_at", Timestamp))
        batch.add_column(sa.Column("rating", sa.SmallInteger))
        batch.add_column(sa.Column("rating_comment", sa.Text))
    op.create_index("ix_chats_created_at", "chats", ["created_at"])
    with op.batch_alter_table("admins") as batch:
        batch.add_column(sa.Column("available", sa.Boolean, nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("session_epoch", sa.Integer, nullable=False, server_default="0"))
    with op.batch_alter_table("chat_history") as batch:
        batch.add_column(sa.Column("author", sa.String(64)))
    with op.batch_alter_table("bookings") as batch:
        batch.add_column(sa.Column("note", sa.Text))
        batch.add_column(sa.Column("cancelled_count", sa.Integer, nullable=False, server_default="0"))

    op.create_table(
        "model_calls",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("chat_id", sa.String(32), nullable=False),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("latency_ms", sa.Integer, nullable=False),
        sa.Column("error", sa.String(200)),
        sa.Column("created_at", Timestamp, nullable=False),
        **TABLE,
    )
    op.create_index("ix_model_calls_created_at", "model_calls", ["created_at"])

    op.create_table(
        "knowledge_answers",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("source_message_id", BigId),
        sa.Column("created_by", BigId, sa.ForeignKey("admins.id", name="fk_knowledge_answers_created_by")),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.Column("deleted_at", Timestamp),
        **TABLE,
    )
    op.create_index("ix_knowledge_answers_status", "knowledge_answers", ["status", "updated_at"])

    op.create_table(
        "canned_responses",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("shortcut", sa.String(32), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.Column("deleted_at", Timestamp),
        sa.UniqueConstraint("shortcut", name="uq_canned_responses_shortcut"),
        **TABLE,
    )


def downgrade():
    op.drop_table("canned_responses")
    op.drop_index("ix_knowledge_answers_status", table_name="knowledge_answers")
    op.drop_table("knowledge_answers")
    op.drop_index("ix_model_calls_created_at", table_name="model_calls")
    op.drop_table("model_calls")
    with op.batch_alter_table("bookings") as batch:
        batch.drop_column("cancelled_count")
        batch.drop_column("note")
    with op.batch_alter_table("chat_history") as batch:
        batch.drop_column("author")
    with op.batch_alter_table("admins") as batch:
        batch.drop_column("session_epoch")
        batch.drop_column("available")
    op.drop_index("ix_chats_created_at", table_name="chats")
    with op.batch_alter_table("chats") as batch:
        for column in ("rating_comment", "rating", "closed_at", "first_human_reply_at", "taken_by", "brief"):
            batch.drop_column(column)
