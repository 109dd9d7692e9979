"""Which advisors have a chat open, shared by every process through the database."""
from datetime import timedelta

from sqlalchemy import delete, insert, select, update

from . import transaction, utcnow
from .schema import admins, chat_viewers

# A process refreshes its rows every REFRESH_SECONDS; older rows belong to a dead process.
REFRESH_SECONDS = 30
STALE_AFTER = timedelta(seconds=3 * REFRESH_SECONDS)


def view_chat(sid, chat_id, admin_id):
    """This admin connection now has chat_id open (one chat per connection); returns the chat it left."""
    now = utcnow()
    with transaction() as conn:
        previous = conn.execute(select(chat_viewers.c.chat_id).where(chat_viewers.c.sid == sid)).scalar()
        if previous is None:
            conn.execute(insert(chat_viewers).values(sid=sid, chat_id=chat_id, admin_id=admin_id, seen_at=now))
        else:
            conn.execute(update(chat_viewers).where(chat_viewers.c.sid == sid).values(chat_id=chat_id, seen_at=now))
    return previous if previous != chat_id else None


def leave(sid):
    """The connection closed its chat (or disconnected); returns the chat it had open, or None."""
    with transaction() as conn:
        chat_id = conn.execute(select(chat_viewers.c.chat_id).where(chat_viewers.c.sid == sid)).scalar()
        if chat_id is not None:
            conn.execute(delete(chat_viewers).where(chat_viewers.c.sid == sid))
    return chat_id


def refresh(sids):
    """Keep this process's viewers fresh; drop everyone's stale rows. Returns the chats that lost viewers."""
    now = utcnow()
    stale = chat_viewers.c.seen_at < now - STALE_AFTER
    with transaction() as conn:
        if sids:
            conn.execute(update(chat_viewers).where(chat_viewers.c.sid.in_(list(sids))).values(seen_at=now))
        left = set(conn.execute(select(chat_viewers.c.chat_id).where(stale)).scalars())
        if left:
            conn.execute(delete(chat_viewers).where(stale))
    return left


def fresh_since():
    return utcnow() - STALE_AFTER


def viewers(chat_id):
    """Usernames of the advisors who have chat_id open now."""
    return viewers_of([chat_id]).get(chat_id, [])


def viewers_of(chat_ids):
    """{chat_id: [username]} for those of the chats that advisors have open now, in one query."""
    if not chat_ids:
        return {}
    fresh = chat_viewers.c.seen_at >= utcnow() - STALE_AFTER
    found = {}
    with transaction() as conn:
        for chat_id, username in conn.execute(
            select(chat_viewers.c.chat_id, admins.c.username).join(admins, admins.c.id == chat_viewers.c.admin_id)
            .where(chat_viewers.c.chat_id.in_(list(chat_ids)), fresh).distinct()
            .order_by(chat_viewers.c.chat_id, admins.c.username)
        ):
            found.setdefault(chat_id, []).append(username)
    return found
