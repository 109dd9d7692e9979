"""Queries on chat history."""
from typing import NamedTuple, Optional

from sqlalchemy import case, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from . import transaction, utcnow
from .schema import chat_history, chat_viewers, chats


class Appended(NamedTuple):
    chat: Optional[dict]  # the chat as it was before the message (None: no such chat)
    message: Optional[dict]  # the stored row (None: refused or no such chat)
    created: bool  # False when refused, or when the client_id was stored already


def add_message(chat_id, role, message, model=None, client_id=None, author=None, admit=None, viewed_since=None):
    """Store a message in a live chat and bump its activity time, in one transaction.

    The chat row is locked first, so concurrent writers to one chat queue instead of
    deadlocking. `admit(chat)` may refuse (return False: nothing is written) or raise.
    A retried client_id returns the stored row with created False. An advisor's message
    marks the chat read; a student's does too when an advisor has had it open since
    `viewed_since`. Returns Appended.
    """
    now = utcnow()
    chat = None
    try:
        with transaction() as conn:
            chat = conn.execute(select(chats).where(chats.c.id == chat_id, chats.c.deleted_at.is_(None))
                                .with_for_update()).mappings().first()
            chat = dict(chat) if chat else None
            if chat is None or (admit is not None and not admit(chat)):
                return Appended(chat, None, False)
            result = conn.execute(insert(chat_history).values(
                chat_id=chat_id, role=role, message=message, model=model,
                client_id=client_id, author=author, created_at=now,
            ))
            row = {"id": result.inserted_primary_key[0], "chat_id": chat_id, "role": role,
                   "message": message, "model": model, "client_id": client_id, "author": author,
                   "created_at": now}
            conn.execute(update(chats).where(chats.c.id == chat_id).values(
                last_message_at=now, updated_at=now, **_read_marks(chat_id, role, row["id"], now, viewed_since)))
        return Appended(chat, row, True)
    except IntegrityError:
        if client_id is None:
            raise
        return Appended(chat, message_by_client_id(chat_id, client_id), False)


def _read_marks(chat_id, role, message_id, now, viewed_since):
    if role == "human_operator":
        first_reply = case((chats.c.escalated_at.isnot(None), now), else_=None)
        return {"admin_read_id": message_id,  # ids only grow: everything before it is read too
                "first_human_reply_at": func.coalesce(chats.c.first_human_reply_at, first_reply)}
    if role == "human" and viewed_since is not None:
        viewed = select(chat_viewers.c.sid).where(chat_viewers.c.chat_id == chat_id,
                                                  chat_viewers.c.seen_at >= viewed_since).exists()
        return {"admin_read_id": case((viewed, message_id), else_=chats.c.admin_read_id)}
    return {}


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

