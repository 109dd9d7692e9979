"""Queries on chats."""
import hashlib
import secrets
import uuid

from sqlalchemy import case, func, insert, select, update

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
        "admin_read_id": 0,
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


def list_chats(status=None, escalated=None, limit=50, offset=0):
    """Live chats for the dashboard, waiting-for-a-human first, then by last activity.

    Each row carries its last message and how many student messages no advisor has seen.
    Returns (rows, total).
    """
    conditions = [chats.c.deleted_at.is_(None)]
    if status:
        conditions.append(chats.c.status == status)
    if escalated is not None:
        conditions.append(chats.c.escalated_at.isnot(None) if escalated else chats.c.escalated_at.is_(None))
    live = chat_history.c.deleted_at.is_(None)
    last_id = (select(func.max(chat_history.c.id)).where(chat_history.c.chat_id == chats.c.id, live)
               .correlate(chats).scalar_subquery())
    unread = (select(func.count()).select_from(chat_history)
              .where(chat_history.c.chat_id == chats.c.id, chat_history.c.role == "human",
                     chat_history.c.id > chats.c.admin_read_id, live)
              .correlate(chats).scalar_subquery())
    waiting_first = case((chats.c.status == "waiting_human", 0), else_=1)
    with transaction() as conn:
        total = conn.execute(select(func.count()).select_from(chats).where(*conditions)).scalar()
        rows = conn.execute(
            select(chats, last_id.label("last_message_id"), unread.label("unread"))
            .where(*conditions)
            .order_by(waiting_first, chats.c.last_message_at.desc(), chats.c.id)
            .limit(limit).offset(offset)
        ).mappings().all()
        ids = [r["last_message_id"] for r in rows if r["last_message_id"]]
        last = {m["id"]: dict(m) for m in conn.execute(
            select(chat_history).where(chat_history.c.id.in_(ids))).mappings()} if ids else {}
    return [dict(r, last_message=last.get(r["last_message_id"])) for r in rows], total


def waiting_queue():
    """Ids of chats waiting for a human, first escalated first."""
    with transaction() as conn:
        return list(conn.execute(
            select(chats.c.id).where(chats.c.status == "waiting_human", chats.c.deleted_at.is_(None))
            .order_by(chats.c.escalated_at, chats.c.id)).scalars())


def mark_read(chat_id, message_id):
    """Advisors have seen the chat up to message_id."""
    with transaction() as conn:
        conn.execute(update(chats).where(chats.c.id == chat_id, chats.c.admin_read_id < message_id)
                     .values(admin_read_id=message_id))
