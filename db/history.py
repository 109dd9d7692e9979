"""Queries on chat history."""
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from . import transaction, utcnow
from .schema import chat_history, chats


def add_message(chat_id, role, message, model=None, client_id=None, author=None):
    """Store a message and bump the chat's activity time; returns (row, created).

    With a client_id already stored for this chat, returns the stored row and False,
    so a retried send is kept once.
    """
    now = utcnow()
    try:
        with transaction() as conn:
            # The chat row first: the insert's foreign-key check share-locks it, and taking that
            # lock before the update deadlocked two concurrent writers to one chat.
            conn.execute(update(chats).where(chats.c.id == chat_id)
                         .values(last_message_at=now, updated_at=now))
            result = conn.execute(insert(chat_history).values(
                chat_id=chat_id, role=role, message=message, model=model,
                client_id=client_id, author=author, created_at=now,
            ))
            row = {"id": result.inserted_primary_key[0], "chat_id": chat_id, "role": role,
                   "message": message, "model": model, "client_id": client_id, "author": author,
                   "created_at": now}
        return row, True
    except IntegrityError:
        if client_id is None:
            raise
        return message_by_client_id(chat_id, client_id), False


def message_by_client_id(chat_id, client_id):
    with transaction() as conn:
        row = conn.execute(select(chat_history).where(
            chat_history.c.chat_id == chat_id, chat_history.c.client_id == client_id,
            chat_history.c.deleted_at.is_(None),
        )).mappings().first()
    return dict(row) if row else None


def messages_after(chat_id, after_id=0, limit=500):
    """The chat's live messages with id > after_id, oldest first."""
    with transaction() as conn:
        rows = conn.execute(
            select(chat_history)
            .where(chat_history.c.chat_id == chat_id, chat_history.c.id > after_id,
                   chat_history.c.deleted_at.is_(None))
            .order_by(chat_history.c.id).limit(limit)
        ).mappings().all()
    return [dict(r) for r in rows]


def recent_messages(chat_id, limit=40):
    """The chat's last `limit` live messages, oldest first (the model's context)."""
    with transaction() as conn:
        rows = conn.execute(
            select(chat_history)
            .where(chat_history.c.chat_id == chat_id, chat_history.c.deleted_at.is_(None))
            .order_by(chat_history.c.id.desc()).limit(limit)
        ).mappings().all()
    return [dict(r) for r in reversed(rows)]


def has_reply_after(chat_id, message_id):
    """Whether an AI or operator message follows message_id (the turn was answered)."""
    with transaction() as conn:
        return conn.execute(
            select(chat_history.c.id).where(
                chat_history.c.chat_id == chat_id, chat_history.c.id > message_id,
                chat_history.c.role.in_(("ai", "human_operator")),
                chat_history.c.deleted_at.is_(None),
            ).limit(1)
        ).first() is not None
