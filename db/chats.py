"""Queries on chats."""
import hashlib
import secrets
import uuid

from sqlalchemy import and_, func, insert, select, update

from . import transaction, utcnow
from .schema import chat_history, chats


def hash_token(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_chat():
    """Create a chat; returns (chat row as dict, the plain access token). Only the hash is stored."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = {
        "id": uuid.uuid4().hex, "token_hash": hash_token(token), "status": "ai",
        "is_human_enabled": False, "escalation_reason": None, "escalated_at": None,
        "created_at": now, "updated_at": now, "last_message_at": now, "deleted_at": None,
    }
    with transaction() as conn:
        conn.execute(insert(chats).values(**row))
    return row, token


def get_chat(chat_id):
    """The live (not deleted) chat with this id, or None."""
    if not isinstance(chat_id, str) or len(chat_id) > 32:
        return None
    with transaction() as conn:
        row = conn.execute(
            select(chats).where(chats.c.id == chat_id, chats.c.deleted_at.is_(None))
        ).mappings().first()
    return dict(row) if row else None


def token_matches(chat, token):
    """Constant-time check of a presented token against the chat's stored hash."""
    return isinstance(token, str) and secrets.compare_digest(chat["token_hash"], hash_token(token))


def update_chat(chat_id, **values):
    """Set columns on a live chat; returns the updated row or None if it does not exist."""
    values["updated_at"] = utcnow()
    with transaction() as conn:
        result = conn.execute(
            update(chats).where(chats.c.id == chat_id, chats.c.deleted_at.is_(None)).values(**values)
        )
        if result.rowcount == 0:
            return None
        row = conn.execute(select(chats).where(chats.c.id == chat_id)).mappings().first()
    return dict(row)


def escalate(chat_id, reason):
    """Mark a chat as waiting for a human unless a human already has it; returns the row."""
    now = utcnow()
    with transaction() as conn:
        conn.execute(
            update(chats)
            .where(chats.c.id == chat_id, chats.c.deleted_at.is_(None), chats.c.status.in_(("ai", "closed")))
            .values(status="waiting_human", escalation_reason=reason, escalated_at=now, updated_at=now)
        )
        row = conn.execute(select(chats).where(chats.c.id == chat_id)).mappings().first()
    return dict(row) if row else None


def count_chats():
    with transaction() as conn:
        return conn.execute(select(func.count()).select_from(chats).where(chats.c.deleted_at.is_(None))).scalar()
