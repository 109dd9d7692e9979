"""Table definitions for SQLAlchemy Core; migrations/ creates the same tables."""
from sqlalchemy import (
    BigInteger, Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, MetaData,
    String, Table, Text, Time, UniqueConstraint,
)
from sqlalchemy.dialects import mysql

metadata = MetaData()

# Microsecond timestamps on MySQL so "last activity" orders correctly.
Timestamp = DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
# BIGINT ids on MySQL; SQLite only auto-increments a plain INTEGER primary key.
BigId = BigInteger().with_variant(Integer(), "sqlite")
MYSQL_TABLE = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci",
               "mysql_engine": "InnoDB"}

CHAT_STATUSES = ("ai", "waiting_human", "human", "closed")
ROLES = ("human", "ai", "human_operator", "system")

chats = Table(
    "chats", metadata,
    Column("id", String(32), primary_key=True),
    Column("token_hash", String(64), nullable=False),
    Column("status", String(16), nullable=False, default="ai"),
    Column("is_human_enabled", Boolean, nullable=False, default=False),
    Column("escalation_reason", Text),
    Column("escalated_at", Timestamp),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    Column("last_message_at", Timestamp, nullable=False),
    Column("deleted_at", Timestamp),
    # The last message id any advisor has seen: "unread" counts student messages after it.
    Column("admin_read_id", BigId, nullable=False, server_default="0"),
    UniqueConstraint("token_hash", name="uq_chats_token_hash"),
    Index("ix_chats_status_activity", "status", "last_message_at"),
    Index("ix_chats_activity", "last_message_at"),
    **MYSQL_TABLE,
)

chat_history = Table(
    "chat_history", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("chat_id", String(32), ForeignKey("chats.id"), nullable=False),
    Column("role", String(16), nullable=False),
    Column("message", Text, nullable=False),
    Column("model", String(64)),
    Column("client_id", String(64)),
    Column("created_at", Timestamp, nullable=False),
    Column("deleted_at", Timestamp),
    # A retried send (same client id) is stored once.
    UniqueConstraint("chat_id", "client_id", name="uq_chat_history_client_id"),
    Index("ix_chat_history_chat_id_id", "chat_id", "id"),
    **MYSQL_TABLE,
)

bookings = Table(
    "bookings", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("date", Date, nullable=False),
    Column("time", Time, nullable=False),
    Column("chat_id", String(32), ForeignKey("chats.id")),
    Column("booked_at", Timestamp),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    Column("deleted_at", Timestamp),
    UniqueConstraint("date", "time", name="uq_bookings_date_time"),
    # A chat holds at most one slot; NULL (free) may repeat.
    UniqueConstraint("chat_id", name="uq_bookings_chat_id"),
    **MYSQL_TABLE,
)

settings = Table(
    "settings", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    **MYSQL_TABLE,
)

admins = Table(
    "admins", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("last_login_at", Timestamp),
    Column("deleted_at", Timestamp),
    UniqueConstraint("username", name="uq_admins_username"),
    **MYSQL_TABLE,
)

# One row per admin connection that has a chat open; rows not refreshed lately are stale
# (a crashed process), so presence survives any number of processes.
chat_viewers = Table(
    "chat_viewers", metadata,
    Column("sid", String(64), primary_key=True),
    Column("chat_id", String(32), ForeignKey("chats.id"), nullable=False),
    Column("admin_id", BigId, ForeignKey("admins.id"), nullable=False),
    Column("seen_at", Timestamp, nullable=False),
    Index("ix_chat_viewers_chat_id", "chat_id", "seen_at"),
    **MYSQL_TABLE,
)
