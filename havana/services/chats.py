"""The student's side of a chat: open it, write in it, close it and rate it."""
from db import bookings as booking_db, chats as chat_db, history as history_db, presence
from havana import protocol as p
from havana.errors import ClientError, chat_not_found, forbidden
from havana.extensions import socketio
from havana.services.base import ServiceBase


class ChatServices(ServiceBase):
    def start_chat(self, sid, address):
        """A new chat for the student connection `sid`; its token goes to that connection only."""
        self.limits.hit("chat_per_address", address)
        chat, token = chat_db.create_chat()
        socketio.emit(p.CHAT_CREATED, {"chat_id": chat["id"], "token": token}, to=sid)
        socketio.emit(p.CHAT_CREATED, {"chat_id": chat["id"], "chat": self.chat_summary(chat)}, to=p.ADMINS_ROOM)
        return chat, token

    def open_chat(self, chat_id, token):
        """The chat, if the token is right. Raises ClientError otherwise."""
        chat = chat_db.get_chat(chat_id)
        if chat is None:
            raise chat_not_found()
        if not chat_db.token_matches(chat, token):
            raise forbidden("That chat token is not valid.")
        self._answer_if_pending(chat)
        return chat

    def chat_view(self, chat):
        """The chat as its student sees it, with where they stand in the advisors' queue."""
        view = p.chat_payload(chat, booking_db.booking_for_chat(chat["id"]), len(presence.viewers(chat["id"])))
        view["queue"] = self.queue_status(chat) if chat["status"] == "waiting_human" else None
        return view

    def chat_summary(self, chat, booking=None, viewers=()):
        """A dashboard row: the chat, its last message, unread count and who is viewing it."""
        return p.admin_chat_payload(chat, booking, list(viewers))

    def messages_since(self, chat_id, last_id):
        return [p.message_payload(m) for m in history_db.messages_after(chat_id, last_id or 0)]

    def post_student_message(self, chat_id, text, client_id=None, address=None):
        """Store a student's message, show it everywhere, and queue the AI's answer."""
        text = self._clean(text)
        self.limits.hit("message_per_chat", chat_id)
        self.limits.hit("message_per_address", address or "unknown")
        chat, row, created = history_db.add_message(chat_id, "human", text, client_id=client_id,
                                                    viewed_since=presence.fresh_since())
        if chat is None:
            raise chat_not_found()
        payload = p.message_payload(row)
        if created:
            self._emit_message(payload)
            self.student_typing(chat_id, False)
            if chat["status"] == "closed":
                self.reopen_chat(chat_id, notice="Welcome back! The conversation is open again.")
            self._queue_answer(chat_id, row["id"])
        return payload

    def student_typing(self, chat_id, typing):
        """Advisors with the chat open, and the dashboard list, see that the student is typing."""
        event = {"chat_id": chat_id, "who": "student", "typing": bool(typing)}
        socketio.emit(p.TYPING, event, to=[p.watch_room(chat_id), p.ADMINS_ROOM])  # once per connection

    def close_chat(self, chat_id, admin):
        """An advisor closes the conversation; the student is asked to rate it."""
        chat = self.existing_chat(chat_id)
        if chat["status"] == "closed":
            return self._status_payload(chat)
        chat = chat_db.update_chat(chat_id, status="closed", is_human_enabled=False, taken_by=None,
                                   closed_at=chat_db.utcnow())
        self.post_system_notice(chat_id, "This conversation was closed by the admissions office. "
                                         "You can still write here to reopen it.")
        payload = dict(self._status_payload(chat), by=admin.username)
        self._emit_chat(p.CHAT_CLOSED, payload, chat_id)
        self.broadcast_queue(left=chat_id)
        return payload

    def reopen_chat(self, chat_id, admin=None, notice="The conversation was reopened."):
        chat = self.existing_chat(chat_id)
        if chat["status"] != "closed":
            return self._status_payload(chat)
        chat = chat_db.update_chat(chat_id, status="ai", closed_at=None)
        self.post_system_notice(chat_id, notice)
        payload = dict(self._status_payload(chat), by=admin.username if admin else None)
        self._emit_chat(p.CHAT_REOPENED, payload, chat_id)
        return payload

    def rate_chat(self, chat_id, rating, comment):
        """The student rates a closed conversation (once more replaces the rating)."""
        chat = self.existing_chat(chat_id)
        if chat["status"] != "closed":
            raise ClientError("not_closed", "You can rate the conversation once it is closed.")
        comment = (comment or "").strip()[:1000] or None
        chat_db.update_chat(chat_id, rating=rating, rating_comment=comment)
        payload = {"chat_id": chat_id, "rating": rating, "comment": comment}
        socketio.emit(p.CHAT_RATED, payload, to=p.ADMINS_ROOM)
        return payload

    @staticmethod
    def _status_payload(chat):
        # Closing and reopening both leave the chat with nobody holding it.
        return {"chat_id": chat["id"], "status": chat["status"], "is_human_enabled": bool(chat["is_human_enabled"]),
                "taken_by": None}
