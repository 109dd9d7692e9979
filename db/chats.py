"""Queries on chats."""
import hashlib
import secrets
import uuid

from sqlalchemy import bindparam, case, func, insert, or_, select, update

from . import transaction, utcnow
from .history import with_author_names
from .schema import CHAT_STATUSES, ROLE_STUDENT, STATUS_AI, STATUS_CLOSED, STATUS_HUMAN, STATUS_WAITING, chat_history, chats

_live = chats.c.deleted_at.is_(None)


def hash_token(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_chat(language=None):
    """Create a chat (`language`: the page's, until the student's messages say otherwise); returns
    (chat row as dict, the plain access token). Only the hash is stored."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = {
        "id": uuid.uuid4().hex, "token_hash": hash_token(token), "status": STATUS_AI,
        "escalation_reason": None, "escalated_at": None, "taken_by": None, "brief": None,
        "created_at": now, "updated_at": now, "last_message_at": now, "deleted_at": None,
        "admin_read_id": 0, "closed_at": None, "rating": None, "rating_comment": None,
        "language": language, "language_chosen": False, "student_messages": 0, "contact_name": None,
        "contact_email": None, "contact_phone": None, "contact_method": None, "contact_timezone": None,
    }
    with transaction() as conn:
        conn.execute(insert(chats).values(**row))
    return row, token


# The hot statements are built once: SQLAlchemy then reuses their cache key and compiled form
# instead of deriving both from a new statement object on every call.
_GET = select(chats).where(chats.c.id == bindparam("chat_id"), _live)


def get_chat(chat_id):
    """The live (not deleted) chat with this id, or None."""
    if not _valid_id(chat_id):
        return None
    with transaction() as conn:
        row = conn.execute(_GET, {"chat_id": chat_id}).mappings().first()
    return dict(row) if row else None


def chats_by_ids(chat_ids):
    """The live chats among these ids (any order)."""
    ids = [i for i in chat_ids if _valid_id(i)]
    if not ids:
        return []
    with transaction() as conn:
        return [dict(r) for r in conn.execute(select(chats).where(chats.c.id.in_(ids), _live)).mappings()]


def lock_chat(chat_id):
    """The live chat, locked until the surrounding transaction ends (writers to one chat queue); or None."""
    if not _valid_id(chat_id):
        return None
    rows = lock_chats([chat_id])
    return rows[0] if rows else None


def _locking(columns):
    """(SQLite's write-lock UPDATE, the locking SELECT) of these chats' columns, for an expanding `ids`."""
    ids = chats.c.id.in_(bindparam("ids", expanding=True))
    return (update(chats).where(ids).values(updated_at=chats.c.updated_at),
            select(*columns).where(ids, _live).with_for_update())


# What a message write needs of its chat (db.history.store_messages): fewer columns, less to decode.
WRITE_COLUMNS = ("id", "status", "taken_by", "language", "language_chosen", "student_messages", "contact_email")
_LOCK_ALL, _LOCK_FOR_WRITE = _locking([chats]), _locking([chats.c[name] for name in WRITE_COLUMNS])


def lock_chats(chat_ids, for_write=False):
    """The live chats among chat_ids, locked until the surrounding transaction ends (`for_write`: only
    WRITE_COLUMNS). Rows are locked in key order, so lockers of several chats never deadlock."""
    ids = sorted(i for i in chat_ids if _valid_id(i))
    if not ids:
        return []
    sqlite_lock, query = _LOCK_FOR_WRITE if for_write else _LOCK_ALL
    with transaction() as conn:
        if conn.dialect.name == "sqlite":
            # SQLite has no row locks: a first write takes the database's write lock now, so two
            # actions queue here instead of failing when the second one upgrades its read lock.
            conn.execute(sqlite_lock, {"ids": ids})  # (SQLite renders no FOR UPDATE)
        return [dict(r) for r in conn.execute(query, {"ids": ids}).mappings()]


def _valid_id(chat_id):
    return isinstance(chat_id, str) and 0 < len(chat_id) <= 32


def token_matches(chat, token):
    """Constant-time check of a presented token against the chat's stored hash."""
    return isinstance(token, str) and secrets.compare_digest(chat["token_hash"], hash_token(token))


def _transition(chat_id, allowed, **values):
    """Set values on the live chat if its status is one of `allowed` (and any extra guard); True if it changed."""
    guard = values.pop("guard", None)
    values["updated_at"] = utcnow()
    conditions = [chats.c.id == chat_id, _live, chats.c.status.in_(allowed)]
    if guard is not None:
        conditions.append(guard)
    with transaction() as conn:
        return conn.execute(update(chats).where(*conditions).values(**values)).rowcount == 1


def take_over(chat_id, admin_id):
    """An advisor takes the chat (the assistant stops) unless another advisor holds it; True if taken now."""
    return _transition(chat_id, CHAT_STATUSES, status=STATUS_HUMAN, taken_by=admin_id, closed_at=None,
                       guard=or_(chats.c.taken_by.is_(None), chats.c.taken_by == admin_id))


def hand_back(chat_id, admin_id):
    """The holding advisor (or anyone, when nobody holds it) gives the chat back to the assistant."""
    return _transition(chat_id, (STATUS_HUMAN,), status=STATUS_AI, taken_by=None,
                       guard=or_(chats.c.taken_by.is_(None), chats.c.taken_by == admin_id))


def escalate(chat_id, reason):
    """Mark a chat as waiting for a human unless a human has it already; True if it changed."""
    return _transition(chat_id, (STATUS_AI, STATUS_CLOSED), status=STATUS_WAITING, escalation_reason=reason,
                       escalated_at=utcnow(), closed_at=None)


def close(chat_id):
    """Close the conversation (nobody holds it any more); True if it was open."""
    return _transition(chat_id, (STATUS_AI, STATUS_WAITING, STATUS_HUMAN), status=STATUS_CLOSED, taken_by=None,
                       closed_at=utcnow())


def reopen(chat_id):
    """A closed chat goes back to the assistant; True if it was closed."""
    return _transition(chat_id, (STATUS_CLOSED,), status=STATUS_AI, closed_at=None)


def rate(chat_id, rating, comment):
    """Store the student's rating of a closed chat; True if it is closed."""
    return _transition(chat_id, (STATUS_CLOSED,), rating=rating, rating_comment=comment)


def set_language(chat_id, language, chosen=False):
    """Store the chat's language; `chosen` (the student picked it) stops detection from changing it."""
    values = {"language": language, **({"language_chosen": True} if chosen else {})}
    with transaction() as conn:
        conn.execute(update(chats).where(chats.c.id == chat_id, _live).values(**values))


def set_contact(chat_id, name, email, phone=None, method=None, timezone=None):
    """Store how to reach the student (already validated: havana/contact.py); a None timezone keeps the old one."""
    values = {"contact_name": name, "contact_email": email, "contact_phone": phone, "contact_method": method}
    if timezone:
        values["contact_timezone"] = timezone
    with transaction() as conn:
        conn.execute(update(chats).where(chats.c.id == chat_id, _live).values(**values))


def set_contact_timezone(chat_id, timezone):
    """Store the browser's IANA time zone (for times in the student's own zone)."""
    with transaction() as conn:
        conn.execute(update(chats).where(chats.c.id == chat_id, _live).values(contact_timezone=timezone))


def has_contact(chat):
    """The chat has what a confirmed booking needs: a name and an e-mail."""
    return bool(chat.get("contact_name") and chat.get("contact_email"))


def set_brief(chat_id, brief):
    """Store the hand-off brief (JSON text) of a live chat."""
    with transaction() as conn:
        conn.execute(update(chats).where(chats.c.id == chat_id, _live).values(brief=brief))


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
              .where(chat_history.c.chat_id == chats.c.id, chat_history.c.role == ROLE_STUDENT,
                     chat_history.c.id > chats.c.admin_read_id, live)
              .correlate(chats).scalar_subquery())
    waiting_first = case((chats.c.status == STATUS_WAITING, 0), else_=1)
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
            with_author_names().where(chat_history.c.id.in_(ids))).mappings()} if ids else {}
    return [dict(r, last_message=last.get(r["last_message_id"])) for r in rows], total


def waiting_queue():
    """Ids of chats waiting for a human, first escalated first."""
    with transaction() as conn:
        return list(conn.execute(
            select(chats.c.id).where(chats.c.status == STATUS_WAITING, _live)
            .order_by(chats.c.escalated_at, chats.c.id)).scalars())


def mark_read(chat_id, message_id):
    """Advisors have seen the chat up to message_id."""
    with transaction() as conn:
        conn.execute(update(chats).where(chats.c.id == chat_id, chats.c.admin_read_id < message_id)
                     .values(admin_read_id=message_id))
