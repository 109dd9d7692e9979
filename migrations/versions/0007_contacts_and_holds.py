"""Contact details on chats; held bookings, the booking's client address, the advisor who claims a
call and its outcome.

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    with op.batch_alter_table("chats") as batch:
        batch.add_column(sa.Column("contact_name", sa.String(120)))
        batch.add_column(sa.Column("contact_email", sa.String(254)))
        batch.add_column(sa.Column("contact_phone", sa.String(32)))
        batch.add_column(sa.Column("contact_method", sa.String(16)))
        batch.add_column(sa.Column("contact_timezone", sa.String(64)))
        batch.create_index("ix_chats_contact_email", ["contact_email"])
    with op.batch_alter_table("bookings") as batch:
        # NULL with a chat: confirmed (rows booked before this migration count as confirmed).
        batch.add_column(sa.Column("held_until", Timestamp))
        batch.add_column(sa.Column("confirmed_at", Timestamp))
        batch.add_column(sa.Column("client_address", sa.String(64)))
        batch.add_column(sa.Column("claimed_by", BigId))
        batch.add_column(sa.Column("outcome", sa.String(16)))
        batch.add_column(sa.Column("outcome_at", Timestamp))
        batch.create_foreign_key("fk_bookings_claimed_by", "admins", ["claimed_by"], ["id"])
        batch.create_index("ix_bookings_client_address", ["client_address"])


def downgrade():
    with op.batch_alter_table("bookings") as batch:
        batch.drop_index("ix_bookings_client_address")
        batch.drop_constraint("fk_bookings_claimed_by", type_="foreignkey")
        for name in ("outcome_at", "outcome", "claimed_by", "client_address", "confirmed_at", "held_until"):
            batch.drop_column(name)
    with op.batch_alter_table("chats") as batch:
        batch.drop_index("ix_chats_contact_email")
        for name in ("contact_timezone", "contact_method", "contact_phone", "contact_email", "contact_name"):
            batch.drop_column(name)
