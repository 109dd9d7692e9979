"""The advisors' desk: what the dashboard shows, and which advisors have which chat open (presence)."""
import logging

import db
from db import admins as admin_db, bookings as booking_db, chats as chat_db, history as history_db, presence
from havana import broadcast, protocol as p
from havana.actions.bookings import slots_overview
from havana.actions.canned import canned_responses
from havana.actions.checks import existing_chat
from havana.actions.models import model_state
from havana.actions.queue import advisor_availability
from havana.extensions import socketio

log = logging.getLogger(__name__)


def dashboard(status=None, escalated=None, limit=50, offset=0):
    """A page of chats, waiting ones first, with who holds and who views each."""
    rows, total = chat_db.list_chats(status, escalated, limit, offset)
    booked = booking_db.bookings_for_chats([r["id"] for r in rows])
    holders = admin_db.usernames({r["taken_by"] for r in rows if r["taken_by"]})
    viewing = presence.viewers_of([r["id"] for r in rows])
    return {"chats": [p.desk_chat(r, booked.get(r["id"]), viewing.get(r["id"], []), holders.get(r["taken_by"]))
                      for r in rows],
            "total": total, "limit": limit, "offset": offset}


def desk(admin):
    """Everything the dashboard shows on load."""
    return {**dashboard(), "model": model_state(), "slots": slots_overview(), "admin": admin.username,
            "display_name": p.advisor_name(admin.display_name), "availability": advisor_availability(),
            "canned": canned_responses()}


# Messages an advisor's chat view opens on (the latest ones); older ones: GET /api/chats/<id>?before_id=.
DESK_PAGE = 500


def chat_detail(chat_id, before_id=None):
    """One chat as advisors see it, with its latest page of messages (or the page before before_id)."""
    chat = existing_chat(chat_id)
    rows = history_db.messages_before(chat_id, before_id, DESK_PAGE + 1)
    messages = rows[-DESK_PAGE:]
    latest = messages if before_id is None else history_db.messages_before(chat_id, None, 1)
    holder = admin_db.usernames({chat["taken_by"]}).get(chat["taken_by"])
    summary = p.desk_chat(dict(chat, last_message=latest[-1] if latest else None, unread=0),
                          booking_db.booking_for_chat(chat_id), presence.viewers(chat_id), holder)
    return {"chat": summary, "messages": [p.desk_message(m) for m in messages], "has_more": len(rows) > DESK_PAGE}


class Viewers:
    """This process's advisor connections that have a chat open, kept fresh for the other processes."""

    def __init__(self):
        self._sids = set()
        self._refresher = None

    def open(self, sid, chat_id, admin):
        """An advisor opens a chat: presence is recorded, it is marked read, the student sees someone is there."""
        detail = chat_detail(chat_id)
        left = presence.view_chat(sid, chat_id, admin.id)
        if left:
            socketio.server.leave_room(sid, p.watch_room(left), namespace="/")
        socketio.server.enter_room(sid, p.watch_room(chat_id), namespace="/")
        self._sids.add(sid)
        if self._refresher is None:
            self._refresher = socketio.start_background_task(self._refresh)
        if detail["messages"]:
            chat_db.mark_read(chat_id, detail["messages"][-1]["id"])
        for changed in filter(None, (left, chat_id)):
            broadcast.presence(changed, presence.viewers(changed))
        detail["chat"]["viewers"] = presence.viewers(chat_id)
        return detail

    def close(self, sid):
        """The advisor closed the chat view (or the page)."""
        self._sids.discard(sid)
        left = presence.leave(sid)
        if left:
            socketio.server.leave_room(sid, p.watch_room(left), namespace="/")
            broadcast.presence(left, presence.viewers(left))

    def _refresh(self):
        """Background task: keep this process's presence rows fresh so other processes trust them.

        It ends once nobody here has a chat open; the next advisor to open one starts it again.
        """
        while True:
            socketio.sleep(presence.REFRESH_SECONDS)
            if not self._sids:
                self._refresher = None
                return
            try:
                for chat_id in presence.refresh(set(self._sids)):
                    broadcast.presence(chat_id, presence.viewers(chat_id))  # a dead process's viewers are gone
            except db.DatabaseUnavailable:
                log.warning("presence refresh skipped: database unavailable")


viewers = Viewers()
