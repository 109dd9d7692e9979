"""Queries on chat history."""
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Optional

from sqlalchemy import case, func, insert, select, tuple_, update

from . import transaction, utcnow
from .group_commit import GroupCommit
from .schema import ROLE_OPERATOR, ROLE_STUDENT, admins, chat_history, chat_viewers, chats


@dataclass(eq=False)
class MessageWrite:
    """A message to store, and (once stored) what became of it.

    `accept(chat)`, when given, is asked with the chat row locked: False leaves the message
    unstored (`accepted` False), for the caller's full action to handle.
    """
    chat_id: str
    role: str
    message: str
    model: Optional[str] = None
    client_id: Optional[str] = None
    author: Optional[str] = None
    source: Optional[str] = None
    viewed_since: Optional[datetime] = None
    accept: Optional[Callable] = None
    chat: Optional[dict] = None  # the chat as locked, before this batch's writes
    row: Optional[dict] = None  # the stored message (a retried client_id: the one stored before)
    created: bool = False
    accepted: bool = False
    student_count: Optional[int] = None  # a student's message: how many the student has written, this one included


def add_message(chat_id, role, message, model=None, client_id=None, author=None, source=None, viewed_since=None):
    """Store a message inside the caller's transaction, after db.chats.lock_chat; returns (row, created).

    A client_id stored already is answered with the stored row (created False). The chat's
    activity time moves; an advisor's message marks the chat read, and so does a student's when
    an advisor has had it open since `viewed_since`.
    """
    write = MessageWrite(chat_id, role, message, model, client_id, author, source, viewed_since)
    with transaction() as conn:
        store_messages(conn, [write], lock=False)
    return write.row, write.created


def write_message(write):
    """Store a MessageWrite by group commit (see db/group_commit.py); returns it once committed."""
    return _writer.write(write)


def store_messages(conn, writes, lock=True):
    """Store a batch in the open transaction: lock the chats (unless the caller has), answer retried
    client_ids with their stored rows, one multi-row INSERT, one UPDATE of the chats. Returns
    whether anything was written."""
    chats_by_id = {}
    if lock:
        from .chats import lock_chats  # db.chats imports this module
        chats_by_id = {c["id"]: c for c in lock_chats(sorted({w.chat_id for w in writes}))}
    accepted = []
    for write in writes:
        write.chat = chats_by_id.get(write.chat_id)
        if lock and (write.chat is None or (write.accept is not None and not write.accept(write.chat))):
            continue
        write.accepted = True
        accepted.append(write)
    new = _not_stored_before(conn, accepted)
    if not new:
        return False
    now = utcnow()
    rows = [{"chat_id": w.chat_id, "role": w.role, "message": w.message, "model": w.model, "client_id": w.client_id,
             "author": w.author, "source": w.source, "created_at": now} for w in new]
    for write, row, message_id in zip(new, rows, _insert(conn, rows)):
        write.row, write.created = dict(row, id=message_id), True
    conn.execute(update(chats).where(chats.c.id.in_(sorted({w.chat_id for w in new}))).values(**_activity(new, now)))
    for write in accepted:
        if not write.created:  # the same client_id twice in one batch: the first one stored it
            write.row = write.row or next(w.row for w in new if (w.chat_id, w.client_id) ==
                                          (write.chat_id, write.client_id))
    return True


def _not_stored_before(conn, writes):
    """The writes to insert: not a client_id stored already (its row is set), nor one earlier in the batch."""
    keyed = {(w.chat_id, w.client_id) for w in writes if w.client_id is not None}
    stored = {}
    if keyed:
        for row in conn.execute(select(chat_history).where(
                tuple_(chat_history.c.chat_id, chat_history.c.client_id).in_(sorted(keyed)),
                chat_history.c.deleted_at.is_(None))).mappings():
            stored[(row["chat_id"], row["client_id"])] = dict(row)
    new, seen = [], set()
    for write in writes:
        key = (write.chat_id, write.client_id)
        if write.client_id is not None and (key in stored or key in seen):
            write.row = stored.get(key)
            continue
        seen.add(key)
        new.append(write)
    return new


def _insert(conn, rows):
    """The new rows' ids, in order: one multi-row INSERT ... RETURNING where the database has it."""
    if len(rows) > 1 and conn.dialect.insert_executemany_returning:
        # SQLAlchemy's "insertmanyvalues": one statement for the batch, compiled once for every batch
        # size. One statement's auto-increment ids rise in the order of its rows (MariaDB, SQLite);
        # the order RETURNING gives them in is not promised.
        return sorted(conn.execute(insert(chat_history).returning(chat_history.c.id), rows).scalars())
    return [conn.execute(insert(chat_history).values(**row)).inserted_primary_key[0] for row in rows]


def _activity(writes, now):
    """The chats' new activity time, read marks and student message counts, for one UPDATE."""
    read, answered, students = {}, set(), {}
    for write in writes:
        chat_id, message_id = write.chat_id, write.row["id"]
        if write.role == ROLE_OPERATOR:
            read[chat_id] = message_id  # ids only grow: everything before it is read too
            answered.add(chat_id)
        elif write.role == ROLE_STUDENT:
            students[chat_id] = students.get(chat_id, 0) + 1
            if write.chat is not None:
                write.student_count = write.chat["student_messages"] + students[chat_id]
            if write.viewed_since is not None:
                viewed = select(chat_viewers.c.sid).where(chat_viewers.c.chat_id == chat_id,
                                                          chat_viewers.c.seen_at >= write.viewed_since).exists()
                read[chat_id] = case((viewed, message_id), else_=read.get(chat_id, chats.c.admin_read_id))
    values = {"last_message_at": now, "updated_at": now}
    if read:
        values["admin_read_id"] = case(read, value=chats.c.id, else_=chats.c.admin_read_id)
    if answered:
        first_reply = case((chats.c.escalated_at.isnot(None), now), else_=None)
        values["first_human_reply_at"] = case(
            (chats.c.id.in_(sorted(answered)), func.coalesce(chats.c.first_human_reply_at, first_reply)),
            else_=chats.c.first_human_reply_at)
    if students:
        values["student_messages"] = chats.c.student_messages + case(students, value=chats.c.id, else_=0)
    return values


_writer = GroupCommit(store_messages)


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
