"""What every part of the services shares: emitting to the right rooms, checking input."""
from db import chats as chat_db, history as history_db
from havana import protocol as p
from havana.errors import ClientError, chat_not_found
from havana.extensions import socketio


class ServiceBase:
    def _emit_message(self, payload):
        self._emit_chat(p.NEW_MESSAGE, payload, payload["chat_id"])

    def _emit_chat(self, event, payload, chat_id):
        """To the student's room and every admin: one emit (one publish with Redis) for both."""
        socketio.emit(event, payload, to=[p.chat_room(chat_id), p.ADMINS_ROOM])

    def _emit_watchers(self, event, payload, chat_id):
        """To the student's room and the admins who have this chat open (high-frequency events)."""
        socketio.emit(event, payload, to=[p.chat_room(chat_id), p.watch_room(chat_id)])

    def post_system_notice(self, chat_id, text):
        row = history_db.add_message(chat_id, "system", text).message
        if row is not None:
            self._emit_message(p.message_payload(row))

    def existing_chat(self, chat_id):
        chat = chat_db.get_chat(chat_id)
        if chat is None:
            raise chat_not_found()
        return chat

    def _clean(self, text):
        if not isinstance(text, str):
            raise ClientError("invalid_payload", "The message must be text.")
        text = text.replace("\x00", "").strip()
        if not text:
            raise ClientError("message_empty", "Please write a message first.")
        if len(text) > self.config.MAX_MESSAGE_LENGTH:
            raise ClientError("message_too_long",
                              f"Messages can be at most {self.config.MAX_MESSAGE_LENGTH} characters.")
        return text
