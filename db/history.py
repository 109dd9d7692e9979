"""Queries on chat history."""
from sqlalchemy import case, func, insert, select, update

from . import transaction, utcnow
from .schema import ROLE_OPERATOR, ROLE_STUDENT, admins, chat_history, chat_viewers, chats


def add_message(chat_id, role, message, model=None, client_id=None, author=None, source=None, viewed_since=None):
    """Store a message and bump the chat's activity time; returns (row, created).

    Call it inside the action's transaction, after db.chats.lock_chat: writers to one chat then
    queue, and a client_id stored already is found here (created False, the stored row). An
    advisor's message marks the chat read; a student's does too when an advisor has had it open
    since `viewed_since`.
    """
    now = utcnow()
    with transaction() as conn:
        if client_id is not None:
            stored = message_by_client_id(chat_id, client_id)
            if stored is not None:
                return stored, False
        result = conn.execute(insert(chat_history).values(
            chat_id=chat_id, role=role, message=message, model=model,
            client_id=client_id, author=author, source=source, created_at=now,
        ))
        row = {"id": result.inserted_primary_key[0], "chat_id": chat_id, "role": role, "message": message,
               "model": model, "client_id": client_id, "author": author, "source": source, "created_at": now}
        conn.execute(update(chats).where(chats.c.id == chat_id).values(
            last_message_at=now, updated_at=now, **_read_marks(chat_id, role, row["id"], now, viewed_since)))
    return row, True


def _read_marks(chat_id, role, message_id, now, viewed_since):
    if role == ROLE_OPERATOR:
        first_reply = case((chats.c.escalated_at.isnot(None), now), else_=None)
        return {"admin_read_id": message_id,  # ids only grow: everything before it is read too
                "first_human_reply_at": func.coalesce(chats.c.first_human_reply_at, first_reply)}
    if role == ROLE_STUDENT and viewed_since is not None:
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


def with_author_names():
    """chat_history rows with `author_display`, the display name of the advisor who wrote them."""
    return (select(chat_history, admins.c.display_name.label("author_display"))
            .select_from(chat_history.outerjoin(admins, admins.c.username == chat_history.c.author)))


def messages_after(chat_id, after_id=0, limit=500):
    """The chat's live messages with id > after_id, oldest first, with `author_display`."""
    with transaction() as conn:
        rows = conn.execute(
            with_author_names()
            .where(chat_history.c.chat_id == chat_id, chat_history.c.id > after_id,
                   chat_history.c.deleted_at.is_(None))
            .order_by(chat_history.c.id).limit(limit)
        ).mappings().all()
    return [dict(r) for r in rows]


def messages_before(chat_id, before_id=None, limit=500):
    """The chat's last `limit` live messages (with id < before_id, when given), oldest first, with `author_display`."""
    query = with_author_names().where(chat_history.c.chat_id == chat_id, chat_history.c.deleted_at.is_(None))
    if before_id is not None:
        query = query.where(chat_history.c.id < before_id)
    with transaction() as conn:
        rows = conn.execute(query.order_by(chat_history.c.id.desc()).limit(limit)).mappings().all()
    return [dict(r) for r in reversed(rows)]


def recent_messages(chat_id, limit=40):
    """The chat's last `limit` live messages, oldest first (the model's context)."""
    with transaction() as conn:
        rows = conn.execute(
            select(chat_history)
            .where(chat_history.c.chat_id == chat_id, chat_history.c.deleted_at.is_(None))
            .order_by(chat_history.c.id.desc()).limit(limit)
        ).mappings().all()
    return [dict(r) for r in reversed(rows)]



def first_student_messages(chat_id, limit):
    """The text of the chat's first `limit` live student messages, oldest first."""
    with transaction() as conn:
        rows = conn.execute(
            select(chat_history.c.message)
            .where(chat_history.c.chat_id == chat_id, chat_history.c.role == ROLE_STUDENT,
                   chat_history.c.deleted_at.is_(None))
            .order_by(chat_history.c.id).limit(limit)
        ).scalars().all()
    return list(rows)
