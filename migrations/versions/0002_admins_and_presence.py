"""Admin accounts, advisors viewing a chat (presence), and the admins' read marker.

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TABLE = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci", "mysql_engine": "InnoDB"}


def upgrade():
    op.create_table(
        "admins",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("last_login_at", Timestamp),
        sa.Column("deleted_at", Timestamp),
        sa.UniqueConstraint("username", name="uq_admins_username"),
        **TABLE,
    )
    op.create_table(
        "chat_viewers",
        sa.Column("sid", sa.String(64), primary_key=True),
        sa.Column("chat_id", sa.String(32), sa.ForeignKey("chats.id"), nullable=False),
        sa.Column("admin_id", BigId, sa.ForeignKey("admins.id"), nullable=False),
        sa.Column("seen_at", Timestamp, nullable=False),
        **TABLE,
    )
    op.create_index("ix_chat_viewers_chat_id", "chat_viewers", ["chat_id", "seen_at"])
    with op.batch_alter_table("chats") as batch:
        batch.add_column(sa.Column("admin_read_id", BigId, nullable=False, server_default="0"))


def downgrade():
    with op.batch_alter_table("chats") as batch:
        batch.drop_column("admin_read_id")
    op.drop_index("ix_chat_viewers_chat_id", table_name="chat_viewers")
    op.drop_table("chat_viewers")
    op.drop_table("admins")
