"""Queries on chat history."""
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Callable, Optional

from sqlalchemy import BigInteger, Boolean, Integer, and_, bindparam, case, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError

from . import transaction, utcnow
from .group_commit import GroupCommit
from .schema import ROLE_OPERATOR, ROLE_STUDENT, admins, chat_history, chat_viewers, chats, model_calls


@dataclass(eq=False)
class MessageWrite:
    """A message to store, and (once stored) what became of it.

    `accept(chat)`, when given, is asked with the chat row locked: False leaves the message
    unstored (`accepted` False), for the caller's full action to handle. `read(write)`, when given,
    is called in the same transaction once the message is stored; what it returns is `read_result`
    (what the assistant's reply will need, read without a transaction of its own).
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
    calls: tuple = ()  # an AI reply's model calls (model, ok, latency_ms, error), stored with it for analytics
    read: Optional[Callable] = None
    chat: Optional[dict] = None  # the chat as locked, before this batch's writes
    row: Optional[dict] = None  # the stored message (a retried client_id: the one stored before)
    created: bool = False
    accepted: bool = False
    student_count: Optional[int] = None  # a student's message: how many the student has written, this one included
    read_result: object = None


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
    """Store a batch in the open transaction: lock the chats (unless the caller has), one multi-row
    INSERT, one UPDATE of the chats, then each write's `read`. A retried client_id is answered with
    its stored row. Returns whether anything was written."""
    chats_by_id = {}
    if lock:
        from .chats import lock_chats  # db.chats imports this module
        chats_by_id = {c["id"]: c for c in lock_chats({w.chat_id for w in writes}, for_write=True)}
    for write in writes:  # (set afresh: a batch that failed is tried again a write at a time)
        write.chat, write.row, write.created = chats_by_id.get(write.chat_id), None, False
        write.accepted = not lock or (write.chat is not None and (write.accept is None or write.accept(write.chat)))
    accepted = [w for w in writes if w.accepted]
    new = _first_of_each_client_id(accepted)
    if not new:
        return False
    now = utcnow()
    rows = [{"chat_id": w.chat_id, "role": w.role, "message": w.message, "model": w.model, "client_id": w.client_id,
             "author": w.author, "source": w.source, "created_at": now} for w in new]
    try:
        ids = _insert(conn, rows)
    except IntegrityError:
        # The unique (chat_id, client_id) answers "stored before?" without a query per message. A batch
        # that holds a retried message fails here and is tried a write at a time (db/group_commit.py);
        # alone, the write is answered with the row stored before.
        if len(new) > 1 or not _answer_retry(conn, new[0]):
            raise
        _with_rows_of_retries(accepted, new)
        return False
    for write, row, message_id in zip(new, rows, ids):
        write.row, write.created = dict(row, id=message_id), True
    calls = [{"chat_id": w.chat_id, "model": c.model, "ok": c.ok, "latency_ms": c.latency_ms, "error": c.error,
              "created_at": now} for w in new for c in w.calls]
    if calls:
        conn.execute(_INSERT_CALLS, calls)
    marks = _chat_marks(new)
    size = 1 << (len(marks) - 1).bit_length()  # a few statement sizes, each built and compiled once
    marks += marks[-1:] * (size - len(marks))  # a chat repeated changes nothing: its first CASE branch wins
    params = {"now": now}
    for i, mark in enumerate(marks):
        params.update({f"{name}_{i}": value for name, value in mark.items()})
    conn.execute(_activity_statement(size), params)
    _with_rows_of_retries(accepted, new)
    for write in new:
        if write.read is not None:
            write.read_result = write.read(write)
    return True


def _first_of_each_client_id(writes):
    """The writes to insert: all but a client_id met earlier in the batch."""
    new, seen = [], set()
    for write in writes:
        key = (write.chat_id, write.client_id)
        if write.client_id is None or key not in seen:
            seen.add(key)
            new.append(write)
    return new


def _answer_retry(conn, write):
    """A write refused by the unique client_id: set the row stored before; False if it is not that."""
    if write.client_id is None:
        return False
    row = conn.execute(_STORED, {"chat_id": write.chat_id, "client_id": write.client_id}).mappings().first()
    write.row = dict(row) if row else None
    return row is not None


def _with_rows_of_retries(accepted, new):
    """The same client_id twice in one batch: the later ones get the row the first one stored."""
    stored = {(w.chat_id, w.client_id): w.row for w in new}
    for write in accepted:
        if write.row is None:
            write.row = stored[(write.chat_id, write.client_id)]


def _insert(conn, rows):
    """The new rows' ids, in order: one multi-row INSERT ... RETURNING where the database has it."""
    if len(rows) > 1 and conn.dialect.insert_executemany_returning:
        # SQLAlchemy's "insertmanyvalues": one statement for the batch. One statement's auto-increment
        # ids rise in the order of its rows (MariaDB, SQLite); the order RETURNING gives them in is not promised.
        return sorted(conn.execute(_INSERT_RETURNING, rows).scalars())
    return [conn.execute(_INSERT, row).inserted_primary_key[0] for row in rows]


def _chat_marks(writes):
    """Per chat, what its new messages change: the read mark (an advisor's message, or a student's
    seen at once), the first human reply, the student's message count."""
    marks = {}
    for write in writes:
        mark = marks.setdefault(write.chat_id, {"chat": write.chat_id, "read": None, "seen": None, "since": None,
                                                "answered": False, "students": 0})
        if write.role == ROLE_OPERATOR:
            # ids only grow: everything before it is read too, a student's message before it included
            mark.update(read=write.row["id"], seen=None, answered=True)
        elif write.role == ROLE_STUDENT:
            mark["students"] += 1
            if write.chat is not None:
                write.student_count = write.chat["student_messages"] + mark["students"]
            if write.viewed_since is not None:
                mark.update(seen=write.row["id"], since=write.viewed_since)
    return list(marks.values())


@lru_cache(maxsize=None)
def _activity_statement(n):
    """One UPDATE of n chats' activity time and _chat_marks (params `now` and `<mark>_<i>`), built once per n
    (a power of two)."""
    def each(column, value):
        return case(*[(chats.c.id == bindparam(f"chat_{i}"), value(i)) for i in range(n)], else_=column)

    def read_mark(i):
        seen, read = bindparam(f"seen_{i}", type_=BigInteger), bindparam(f"read_{i}", type_=BigInteger)
        viewed = select(chat_viewers.c.sid).where(chat_viewers.c.chat_id == bindparam(f"chat_{i}"),
                                                  chat_viewers.c.seen_at >= bindparam(f"since_{i}")).exists()
        return case((and_(seen.isnot(None), viewed), seen), (read.isnot(None), read), else_=chats.c.admin_read_id)

    def first_reply(i):
        first = case((chats.c.escalated_at.isnot(None), bindparam("now")), else_=None)
        return case((bindparam(f"answered_{i}", type_=Boolean), func.coalesce(chats.c.first_human_reply_at, first)),
                    else_=chats.c.first_human_reply_at)

    return update(chats).where(chats.c.id.in_([bindparam(f"chat_{i}") for i in range(n)])).values(
        last_message_at=bindparam("now"), updated_at=bindparam("now"),
        admin_read_id=each(chats.c.admin_read_id, read_mark),
        first_human_reply_at=each(chats.c.first_human_reply_at, first_reply),
        student_messages=chats.c.student_messages + each(literal(0),
                                                         lambda i: bindparam(f"students_{i}", type_=Integer)))


# The hot statements, built once (SQLAlchemy reuses their cache keys and compiled forms).
_INSERT = insert(chat_history)
_INSERT_RETURNING = insert(chat_history).returning(chat_history.c.id)
_INSERT_CALLS = insert(model_calls)
_STORED = select(chat_history).where(chat_history.c.chat_id == bindparam("chat_id"),
                                     chat_history.c.client_id == bindparam("client_id"),
                                     chat_history.c.deleted_at.is_(None))


def _latest_of(*columns):
    return (select(*columns).where(chat_history.c.chat_id == bindparam("chat_id"), chat_history.c.deleted_at.is_(None))
            .order_by(chat_history.c.id.desc()).limit(bindparam("limit", type_=Integer)))


_RECENT = _latest_of(chat_history)
# The model's view of a chat, read for every AI reply: four columns (decoding the rest of 40 rows,
# created_at above all, was about a quarter of that read's CPU).
_CONVERSATION = _latest_of(chat_history.c.id, chat_history.c.role, chat_history.c.message, chat_history.c.client_id)

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
    """The chat's last `limit` live messages, oldest first."""
    return _latest(_RECENT, chat_id, limit)


def conversation(chat_id, limit=40):
    """The chat's last `limit` live messages as the model reads them (id, role, message, client_id), oldest first."""
    return _latest(_CONVERSATION, chat_id, limit)


def _latest(statement, chat_id, limit):
    with transaction() as conn:
        rows = conn.execute(statement, {"chat_id": chat_id, "limit": limit}).mappings().all()
    return [dict(r) for r in reversed(rows)]
