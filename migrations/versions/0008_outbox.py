"""The outbox: mails (booking invites, reminders, answers) queued by actions, sent by each process.

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table(
        "outbox",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("chat_id", sa.String(32)),
        sa.Column("to", sa.String(320), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False, server_default=""),
        sa.Column("body_text", sa.Text),
        sa.Column("body_html", sa.Text),
        sa.Column("ics", sa.Text),
        sa.Column("ics_sequence", sa.Integer),
        sa.Column("data", sa.Text),
        sa.Column("status", sa.String(16), nullable=False, server_default="queued"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", Timestamp, nullable=False),
        sa.Column("claimed_by", sa.String(64)),
        sa.Column("claimed_at", Timestamp),
        sa.Column("sent_at", Timestamp),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("dedupe_key", sa.String(191), nullable=False),
        sa.UniqueConstraint("dedupe_key", name="uq_outbox_dedupe_key"),
        mysql_charset="utf8mb4", mysql_collate="utf8mb4_unicode_ci", mysql_engine="InnoDB",
    )
    op.create_index("ix_outbox_due", "outbox", ["status", "next_attempt_at"])
    op.create_index("ix_outbox_chat", "outbox", ["chat_id", "kind"])


def downgrade():
    op.drop_index("ix_outbox_chat", "outbox")
    op.drop_index("ix_outbox_due", "outbox")
    op.drop_table("outbox")
