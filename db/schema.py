"""Table definitions for SQLAlchemy Core; migrations/ creates the same tables."""
from sqlalchemy import (
    BigInteger, Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, MetaData,
    SmallInteger, String, Table, Text, Time, UniqueConstraint, false,
)
from sqlalchemy.dialects import mysql

metadata = MetaData()

# Microsecond timestamps on MySQL so "last activity" orders correctly.
Timestamp = DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
# BIGINT ids on MySQL; SQLite only auto-increments a plain INTEGER primary key.
BigId = BigInteger().with_variant(Integer(), "sqlite")
MYSQL_TABLE = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci",
               "mysql_engine": "InnoDB"}

# A chat's one state. havana/protocol.py re-exports these names: the wire uses the same words.
STATUS_AI = "ai"  # the assistant answers
STATUS_WAITING = "waiting_human"  # escalated: the assistant still answers until an advisor takes over
STATUS_HUMAN = "human"  # an advisor holds it (chats.taken_by); the assistant is silent
STATUS_CLOSED = "closed"
CHAT_STATUSES = (STATUS_AI, STATUS_WAITING, STATUS_HUMAN, STATUS_CLOSED)

ROLE_STUDENT = "human"
ROLE_AI = "ai"
ROLE_OPERATOR = "human_operator"  # an advisor writing to the student
ROLE_SYSTEM = "system"  # inline notices ("Call booked for ...")
ROLES = (ROLE_STUDENT, ROLE_AI, ROLE_OPERATOR, ROLE_SYSTEM)

CONTACT_METHODS = ("phone", "whatsapp", "video")  # how the student wants to be called
OUTCOME_ATTENDED = "attended"
OUTCOME_NO_SHOW = "no_show"
OUTCOMES = (OUTCOME_ATTENDED, OUTCOME_NO_SHOW)

chats = Table(
    "chats", metadata,
    Column("id", String(32), primary_key=True),
    Column("token_hash", String(64), nullable=False),
    Column("status", String(16), nullable=False, default=STATUS_AI),
    Column("escalation_reason", Text),
    Column("escalated_at", Timestamp),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    Column("last_message_at", Timestamp, nullable=False),
    Column("deleted_at", Timestamp),
    # The last message id any advisor has seen: "unread" counts student messages after it.
    Column("admin_read_id", BigId, nullable=False, server_default="0"),
    Column("brief", Text),  # the advisor's hand-off brief (JSON), written at escalation
    Column("taken_by", BigId, ForeignKey("admins.id", name="fk_chats_taken_by")),
    Column("first_human_reply_at", Timestamp),
    Column("closed_at", Timestamp),
    Column("rating", SmallInteger),
    Column("rating_comment", Text),
    # "en"/"es": the language of the chat's notices (NULL until known); language_chosen: set by the
    # page's switch, so no longer re-detected from the student's messages.
    Column("language", String(8)),
    Column("language_chosen", Boolean, nullable=False, server_default=false()),
    # How many messages the student has written (the first few decide the chat's language).
    Column("student_messages", Integer, nullable=False, server_default="0"),
    # How to reach the student (validated by havana/contact.py): e-mail stored lower-cased, phone in
    # E.164, method one of CONTACT_METHODS, timezone the browser's IANA zone.
    Column("contact_name", String(120)),
    Column("contact_email", String(254)),
    Column("contact_phone", String(32)),
    Column("contact_method", String(16)),
    Column("contact_timezone", String(64)),
    UniqueConstraint("token_hash", name="uq_chats_token_hash"),
    Index("ix_chats_status_activity", "status", "last_message_at"),
    Index("ix_chats_activity", "last_message_at"),
    Index("ix_chats_created_at", "created_at"),
    Index("ix_chats_contact_email", "contact_email"),
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
    Column("author", String(64)),  # the advisor (username) who wrote a human_operator message
    Column("source", Text),  # the knowledge-base sections an AI answer quotes, joined with " · "
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
    Column("note", Text),  # the hand-off brief, for the advisor who takes the call
    Column("cancelled_count", Integer, nullable=False, server_default="0"),
    # A booking without the student's contact is only held until held_until (then the slot is free
    # again, whoever still names it); NULL with a chat_id means confirmed.
    Column("held_until", Timestamp),
    Column("confirmed_at", Timestamp),
    Column("client_address", String(64)),  # who booked it: the per-address cap counts these
    Column("claimed_by", BigId, ForeignKey("admins.id", name="fk_bookings_claimed_by")),  # the advisor calling
    Column("outcome", String(16)),  # OUTCOMES, set by an advisor after the call's time
    Column("outcome_at", Timestamp),
    UniqueConstraint("date", "time", name="uq_bookings_date_time"),
    # A chat holds at most one slot; NULL (free) may repeat.
    UniqueConstraint("chat_id", name="uq_bookings_chat_id"),
    Index("ix_bookings_client_address", "client_address"),
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
    # db.admins.username_key(username), compared byte for byte: one account per normalised name.
    Column("username_key", String(64).with_variant(mysql.VARCHAR(64, collation="utf8mb4_bin"), "mysql", "mariadb"),
           nullable=False),
    # What students see as the author of this advisor's messages; null shows "Admissions advisor".
    Column("display_name", String(80)),
    Column("password_hash", String(255), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("last_login_at", Timestamp),
    Column("deleted_at", Timestamp),
    Column("available", Boolean, nullable=False, server_default=false()),
    # Bumped at sign-out: every session (pages and sockets) of the account ends at its next request.
    Column("session_epoch", Integer, nullable=False, server_default="0"),
    # Failed sign-ins in a row (cleared by a success) and the last one: the wait before the next try.
    Column("failed_logins", Integer, nullable=False, server_default="0"),
    Column("last_failed_login_at", Timestamp),
    UniqueConstraint("username", name="uq_admins_username"),
    UniqueConstraint("username_key", name="uq_admins_username_key"),
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

# One row per model call: analytics (per-model replies, latency, error rate) from stored data.
model_calls = Table(
    "model_calls", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("chat_id", String(32), nullable=False),
    Column("model", String(64), nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("latency_ms", Integer, nullable=False),
    Column("error", String(200)),
    Column("created_at", Timestamp, nullable=False),
    Index("ix_model_calls_created_at", "created_at"),
    **MYSQL_TABLE,
)

# Answers advisors saved from their own messages; only approved ones reach the assistant.
knowledge_answers = Table(
    "knowledge_answers", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("status", String(16), nullable=False),  # pending | approved
    Column("source_message_id", BigId),
    Column("created_by", BigId, ForeignKey("admins.id", name="fk_knowledge_answers_created_by")),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    Column("deleted_at", Timestamp),
    Index("ix_knowledge_answers_status", "status", "updated_at"),
    **MYSQL_TABLE,
)

canned_responses = Table(
    "canned_responses", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("shortcut", String(32), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    Column("deleted_at", Timestamp),
    UniqueConstraint("shortcut", name="uq_canned_responses_shortcut"),
    **MYSQL_TABLE,
)

# Mail waiting to be sent, sent or given up on: written inside the action that causes it, sent by
# each process's havana.mail.sender, which claims due rows (claimed_by) so one mail goes out once.
OUTBOX_QUEUED, OUTBOX_SENDING, OUTBOX_SENT, OUTBOX_FAILED = "queued", "sending", "sent", "failed"
OUTBOX_DROPPED = "dropped"  # no longer worth sending: the call was cancelled, the student came back
outbox = Table(
    "outbox", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),  # confirmed/moved/cancelled/reminder/answer
    Column("chat_id", String(32)),
    Column("to", String(320), nullable=False),
    Column("subject", String(255), nullable=False, server_default=""),
    Column("body_text", Text),
    Column("body_html", Text),
    Column("ics", Text),
    Column("ics_sequence", Integer),  # the invite's SEQUENCE, so a move or cancel sends the next one
    Column("data", Text),  # JSON a mail composed when sent needs (an answer batch's first message)
    Column("status", String(16), nullable=False, server_default=OUTBOX_QUEUED),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", Timestamp, nullable=False),
    Column("claimed_by", String(64)),
    Column("claimed_at", Timestamp),
    Column("sent_at", Timestamp),
    Column("last_error", Text),
    Column("created_at", Timestamp, nullable=False),
    Column("dedupe_key", String(191), nullable=False),
    UniqueConstraint("dedupe_key", name="uq_outbox_dedupe_key"),
    Index("ix_outbox_due", "status", "next_attempt_at"),
    Index("ix_outbox_chat", "chat_id", "kind"),
    **MYSQL_TABLE,
)
