"""The advisors' side: the desk, presence, takeover, operator messages, availability and the queue."""
import logging
import math
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError

import db
from db import admins as admin_db, bookings as booking_db, chats as chat_db, history as history_db
from db import knowledge as knowledge_db, presence
from havana import protocol as p
from havana.errors import ClientError, chat_not_found
from havana.extensions import socketio
from havana.services.base import ServiceBase

log = logging.getLogger(__name__)


class AdvisorServices(ServiceBase):
    # -- the desk -----------------------------------------------------------------------

    def dashboard(self, status=None, escalated=None, limit=50, offset=0):
        rows, total = chat_db.list_chats(status, escalated, limit, offset)
        booked = booking_db.bookings_for_chats([r["id"] for r in rows])
        holders = admin_db.usernames({r["taken_by"] for r in rows if r["taken_by"]})
        viewing = presence.viewers_of([r["id"] for r in rows])
        return {"chats": [dict(self.chat_summary(r, booked.get(r["id"]), viewing.get(r["id"], [])),
                               taken_by=holders.get(r["taken_by"])) for r in rows],
                "total": total, "limit": limit, "offset": offset}

    def desk(self, admin):
        """Everything the dashboard shows on load."""
        return {**self.dashboard(), "model": self.model_state(), "slots": self.slots_overview(),
                "admin": admin.username, "availability": self.advisor_availability(),
                "canned": self.desk_canned()}

    def chat_detail(self, chat_id):
        chat = self.existing_chat(chat_id)
        messages = history_db.messages_after(chat_id, 0, limit=5000)
        summary = self.chat_summary(dict(chat, last_message=messages[-1] if messages else None, unread=0),
                                    booking_db.booking_for_chat(chat_id), presence.viewers(chat_id))
        summary["taken_by"] = admin_db.usernames({chat["taken_by"]}).get(chat["taken_by"])
        return {"chat": summary, "messages": [p.message_payload(m) for m in messages]}

    # -- presence -----------------------------------------------------------------------

    def open_chat_as_admin(self, sid, chat_id, admin):
        """An advisor opens a chat: presence is recorded and the student sees an advisor is there."""
        detail = self.chat_detail(chat_id)
        left = presence.view_chat(sid, chat_id, admin.id)
        if left:
            socketio.server.leave_room(sid, p.watch_room(left), namespace="/")
        socketio.server.enter_room(sid, p.watch_room(chat_id), namespace="/")
        self._viewing.add(sid)
        if self._presence_task is None:
            self._presence_task = socketio.start_background_task(self._refresh_presence)
        if detail["messages"]:
            chat_db.mark_read(chat_id, detail["messages"][-1]["id"])
        for changed in filter(None, (left, chat_id)):
            self._emit_presence(changed)
        detail["chat"]["viewers"] = presence.viewers(chat_id)
        return detail

    def close_chat_as_admin(self, sid):
        self._viewing.discard(sid)
        left = presence.leave(sid)
        if left:
            socketio.server.leave_room(sid, p.watch_room(left), namespace="/")
            self._emit_presence(left)

    def _refresh_presence(self):
        """Background task: keep this process's presence rows fresh so other processes trust them."""
        while True:
            socketio.sleep(presence.REFRESH_SECONDS)
            try:
                for chat_id in presence.refresh(set(self._viewing)):
                    self._emit_presence(chat_id)  # viewers of a process that died are gone
            except db.DatabaseUnavailable:
                log.warning("presence refresh skipped: database unavailable")

    def _emit_presence(self, chat_id):
        viewers = presence.viewers(chat_id)
        socketio.emit(p.ADMIN_STATUS_CHANGED, {"chat_id": chat_id, "advisors_online": len(viewers)},
                      to=p.chat_room(chat_id))
        socketio.emit(p.ADMIN_STATUS_CHANGED, {"chat_id": chat_id, "advisors_online": len(viewers),
                                               "viewers": viewers}, to=p.ADMINS_ROOM)

    # -- takeover and operator messages -------------------------------------------------

    def set_human_enabled(self, chat_id, enabled, admin):
        """Take a chat over (the AI stops) or hand it back. One advisor holds a takeover at a time."""
        chat = self.existing_chat(chat_id)
        self._check_holder(chat, admin)
        if bool(chat["is_human_enabled"]) == enabled:
            return self._human_payload(chat, admin if enabled else None)
        chat = chat_db.update_chat(chat_id, is_human_enabled=enabled, status="human" if enabled else "ai",
                                   taken_by=admin.id if enabled else None)
        self.post_system_notice(chat_id, "An advisor has joined the chat." if enabled
                                else "You're back with the assistant.")
        payload = self._human_payload(chat, admin if enabled else None)
        self._emit_chat(p.HUMAN_ENABLED_CHANGED, dict(payload, by=admin.username), chat_id)
        self.broadcast_queue(left=chat_id if enabled else None)
        return payload

    @staticmethod
    def _check_holder(chat, admin):
        if chat["taken_by"] and chat["taken_by"] != admin.id and chat["is_human_enabled"]:
            holder = admin_db.usernames({chat["taken_by"]}).get(chat["taken_by"], "another advisor")
            raise ClientError("taken", f"{holder} is handling this chat.")

    @staticmethod
    def _human_payload(chat, holder=None):
        return {"chat_id": chat["id"], "is_human_enabled": bool(chat["is_human_enabled"]),
                "status": chat["status"], "by": holder.username if holder else None,
                "taken_by": holder.username if holder and chat["is_human_enabled"] else None}

    def post_operator_message(self, chat_id, text, admin, client_id=None):
        """An advisor writes to the student; writing takes the chat over so the AI stays quiet."""
        text = self._clean(text)

        def admit(chat):  # on the locked chat row: only its holder writes, and only once it is taken over
            self._check_holder(chat, admin)
            return bool(chat["is_human_enabled"])

        chat, row, created = history_db.add_message(chat_id, "human_operator", text, client_id=client_id,
                                                    author=admin.username, admit=admit)
        if chat is None:
            raise chat_not_found()
        if row is None:  # writing takes the chat over first, so the AI stays quiet
            self.set_human_enabled(chat_id, True, admin)
            chat, row, created = history_db.add_message(chat_id, "human_operator", text, client_id=client_id,
                                                        author=admin.username, admit=admit)
            if row is None:  # handed back in between
                raise ClientError("taken", "The chat changed hands just now. Please try again.")
        payload = p.message_payload(row)
        if created:
            self._emit_message(payload)
            self.admin_typing(chat_id, False, admin)
        return payload

    def admin_typing(self, chat_id, typing, admin=None, sid=None):
        """The student and the other advisors on the chat see that an advisor (and who) is typing."""
        socketio.emit(p.TYPING, {"chat_id": chat_id, "who": "advisor", "typing": bool(typing),
                                 "by": admin.username if admin else None},
                      to=[p.chat_room(chat_id), p.watch_room(chat_id)], skip_sid=sid)

    # -- availability and the queue -----------------------------------------------------

    def set_availability(self, admin, available):
        admin_db.set_available(admin.id, available)
        state = self.advisor_availability()
        socketio.emit(p.AVAILABILITY_CHANGED, dict(state, admin=admin.username, available=available),
                      to=p.ADMINS_ROOM)
        self.broadcast_queue()
        return state

    def advisor_availability(self):
        """Who is available, and whether it is business hours (TIMEZONE)."""
        names = admin_db.available_usernames()
        open_now = self.config.business_hours.is_open(datetime.now(ZoneInfo(self.config.TIMEZONE)))
        return {"advisors": names, "open_now": open_now, "available_now": bool(names) and open_now,
                "hours": self.config.BUSINESS_HOURS}

    def queue_status(self, chat, waiting=None, availability=None):
        """Where a waiting chat stands: position, an estimate of the wait, or that nobody is there."""
        waiting = waiting if waiting is not None else chat_db.waiting_queue()
        availability = availability or self.advisor_availability()
        position = waiting.index(chat["id"]) + 1 if chat["id"] in waiting else None
        advisors = max(1, len(availability["advisors"]))
        minutes = math.ceil(position * self.config.AVG_HANDLE_MINUTES / advisors) if position else None
        return {"chat_id": chat["id"], "position": position, "estimated_minutes": minutes,
                "available_now": availability["available_now"], "open_now": availability["open_now"]}

    def broadcast_queue(self, left=None):
        """Every waiting student learns their new place after the queue changes; `left` that it is out."""
        waiting = chat_db.waiting_queue()
        availability = self.advisor_availability()
        for chat_id in filter(None, [left, *waiting]):
            status = self.queue_status({"id": chat_id}, waiting, availability)
            socketio.emit(p.QUEUE_STATUS, status, to=p.chat_room(chat_id))

    # -- canned responses ---------------------------------------------------------------

    def desk_canned(self):
        return [p.canned_payload(c) for c in knowledge_db.list_canned()]

    def save_canned(self, shortcut, text, canned_id=None):
        shortcut = shortcut.strip().lstrip("/").lower()
        if not shortcut or len(shortcut) > 32 or not shortcut.replace("-", "").replace("_", "").isalnum():
            raise ClientError("invalid_payload", "A shortcut is 1-32 letters, digits, - or _.")
        text = self._clean(text)
        try:
            row = knowledge_db.save_canned(shortcut, text, canned_id)
        except IntegrityError:
            raise ClientError("duplicate", f"The shortcut /{shortcut} exists already.") from None
        if row is None:
            raise ClientError("not_found", "No such canned response.")
        self._emit_canned()
        return p.canned_payload(row)

    def delete_canned(self, canned_id):
        if not knowledge_db.delete_canned(canned_id):
            raise ClientError("not_found", "No such canned response.")
        self._emit_canned()

    def _emit_canned(self):
        socketio.emit(p.CANNED_CHANGED, {"canned": self.desk_canned()}, to=p.ADMINS_ROOM)
