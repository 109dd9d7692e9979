"""Chats, chat history, booking slots and settings.

Revision ID: 0001
Revises:
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TABLE = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci", "mysql_engine": "InnoDB"}


def upgrade():
    op.create_table(
        "chats",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("is_human_enabled", sa.Boolean, nullable=False),
        sa.Column("escalation_reason", sa.Text),
        sa.Column("escalated_at", Timestamp),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.Column("last_message_at", Timestamp, nullable=False),
        sa.Column("deleted_at", Timestamp),
        sa.UniqueConstraint("token_hash", name="uq_chats_token_hash"),
        **TABLE,
    )
    op.create_index("ix_chats_status_activity", "chats", ["status", "last_message_at"])
    op.create_index("ix_chats_activity", "chats", ["last_message_at"])

    op.create_table(
        "chat_history",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("chat_id", sa.String(32), sa.ForeignKey("chats.id"), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("model", sa.String(64)),
        sa.Column("client_id", sa.String(64)),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("deleted_at", Timestamp),
        sa.UniqueConstraint("chat_id", "client_id", name="uq_chat_history_client_id"),
        **TABLE,
    )
    op.create_index("ix_chat_history_chat_id_id", "chat_history", ["chat_id", "id"])

    op.create_table(
        "bookings",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("time", sa.Time, nullable=False),
        sa.Column("chat_id", sa.String(32), sa.ForeignKey("chats.id")),
        sa.Column("booked_at", Timestamp),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.Column("deleted_at", Timestamp),
        sa.UniqueConstraint("date", "time", name="uq_bookings_date_time"),
        sa.UniqueConstraint("chat_id", name="uq_bookings_chat_id"),
        **TABLE,
    )

    op.create_table(
        "settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        **TABLE,
    )


def downgrade():
    op.drop_table("settings")
    op.drop_table("bookings")
    op.drop_index("ix_chat_history_chat_id_id", table_name="chat_history")
    op.drop_table("chat_history")
    op.drop_index("ix_chats_activity", table_name="chats")
    op.drop_index("ix_chats_status_activity", table_name="chats")
    op.drop_table("chats")
