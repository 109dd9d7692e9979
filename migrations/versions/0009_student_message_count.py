"""A count of each chat's student messages, kept by the message writes.

The chat's language is read from the student's first few messages; with the count on the chat
row, storing a message no longer reads the chat's history to know whether it is one of them.

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("chats") as batch:
        batch.add_column(sa.Column("student_messages", sa.Integer, nullable=False, server_default="0"))
    op.execute("UPDATE chats SET student_messages = (SELECT COUNT(*) FROM chat_history "
               "WHERE chat_history.chat_id = chats.id AND chat_history.role = 'human')")


def downgrade():
    with op.batch_alter_table("chats") as batch:
        batch.drop_column("student_messages")
