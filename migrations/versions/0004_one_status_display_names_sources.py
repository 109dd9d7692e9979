"""One chat status (is_human_enabled retired: it was always status == 'human'), advisor display
names for students, and the knowledge-base sections an AI answer quotes.

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    # A chat flagged human under another status is held by an advisor: status says so from now on.
    op.execute("UPDATE chats SET status = 'human' WHERE is_human_enabled = 1 AND status <> 'closed'")
    with op.batch_alter_table("chats") as batch:
        batch.drop_column("is_human_enabled")
    with op.batch_alter_table("admins") as batch:
        batch.add_column(sa.Column("display_name", sa.String(80)))
    with op.batch_alter_table("chat_history") as batch:
        batch.add_column(sa.Column("source", sa.Text))


def downgrade():
    with op.batch_alter_table("chat_history") as batch:
        batch.drop_column("source")
    with op.batch_alter_table("admins") as batch:
        batch.drop_column("display_name")
    with op.batch_alter_table("chats") as batch:
        batch.add_column(sa.Column("is_human_enabled", sa.Boolean, nullable=False, server_default=sa.false()))
    op.execute("UPDATE chats SET is_human_enabled = 1 WHERE status = 'human'")
