"""Socket events sent by the student page."""
from flask import current_app, request, session
from flask_socketio import emit, join_room

from havana import protocol as p
from havana.errors import ClientError, forbidden
from havana.payloads import RateChat, StudentConnect, StudentMessage, StudentTyping, parse
from havana.sockets import on_event


def _services():
    return current_app.extensions["havana"]


def _joined():
    return session.setdefault("joined_chats", [])


@on_event(p.STUDENT_CONNECT)
def student_connect(data):
    """Sent by the student page on load and on every reconnect: open (or create) a chat."""
    req = parse(StudentConnect, data)
    services, token = _services(), None
    if req.chat_id is None:
        if len(_joined()) >= services.config.MAX_CHATS_PER_CONNECTION:
            raise ClientError("too_many_chats", "This window has opened too many chats. Please reload the page.")
        chat, token = services.start_chat(request.sid, request.remote_addr)
    else:
        chat = services.open_chat(req.chat_id, req.token)
    join_room(p.chat_room(chat["id"]))
    if chat["id"] not in _joined():
        session["joined_chats"] = _joined() + [chat["id"]]
    view = {"chat": services.chat_view(chat), "messages": services.messages_since(chat["id"], req.last_message_id)}
    emit(p.STUDENT_CONNECTED, view)
    return {**view, **({"token": token} if token else {})}


@on_event(p.STUDENT_MESSAGE)
def student_message(data):
    """Sent by the student page: a message in a chat this connection has opened."""
    req = _joined_chat(StudentMessage, data)
    return {"message": _services().post_student_message(req.chat_id, req.message, req.client_id,
                                                        request.remote_addr)}


def _joined_chat(model, data):
    req = parse(model, data)
    if req.chat_id not in _joined():
        raise forbidden("Open this chat with its token first.")
    return req


@on_event(p.STUDENT_TYPING)
def student_typing(data):
    """Sent by the student page (throttled) while the student types, and false when they stop."""
    req = _joined_chat(StudentTyping, data)
    _services().student_typing(req.chat_id, req.typing)


@on_event(p.RATE_CHAT)
def rate_chat(data):
    """Sent by the student page: a 1-5 rating (and comment) of a closed conversation."""
    req = _joined_chat(RateChat, data)
    return _services().rate_chat(req.chat_id, req.rating, req.comment)
