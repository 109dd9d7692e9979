"""Socket events sent by the student page."""
from flask import request, session
from flask_socketio import join_room

from havana import connections, protocol as p
from havana.actions import chats, contact
from havana.errors import ClientError, forbidden
from havana.payloads import RateChat, SaveContact, SetLanguage, StudentConnect, StudentMessage, StudentTyping, parse
from havana.runtime import runtime
from havana.sockets import on_event


def _joined():
    return session.setdefault("joined_chats", [])


@on_event(p.STUDENT_CONNECT)
def student_connect(data):
    """Sent by the student page on load and on every reconnect: open (or create) a chat. Answered by the ack only."""
    req = parse(StudentConnect, data)
    token = None
    if req.chat_id is None:
        if len(_joined()) >= runtime.config.MAX_CHATS_PER_CONNECTION:
            raise ClientError("too_many_chats", "This window has opened too many chats. Please reload the page.")
        chat, token = chats.start_chat(request.remote_addr, req.language)
    else:
        chat = chats.adopt_page_language(chats.open_chat(req.chat_id, req.token), req.language)
    join_room(p.chat_room(chat["id"]))
    if chat["id"] not in _joined():
        session["joined_chats"] = _joined() + [chat["id"]]
    return {"chat": chats.chat_view(chat), "messages": chats.messages_since(chat["id"], req.last_message_id),
            **({"token": token} if token else {})}


@on_event(p.STUDENT_MESSAGE)
def student_message(data):
    """Sent by the student page: a message in a chat this connection has opened."""
    req = _joined_chat(StudentMessage, data)
    message = chats.post_student_message(req.chat_id, req.message, req.client_id, request.remote_addr)
    connections.typing.stopped("student", req.chat_id)
    return {"message": message}


def _joined_chat(model, data):
    req = parse(model, data)
    if req.chat_id not in _joined():
        raise forbidden("Open this chat with its token first.")
    return req


@on_event(p.STUDENT_TYPING)
def student_typing(data):
    """Sent by the student page while the student types, and false when they stop; throttled here too."""
    req = _joined_chat(StudentTyping, data)
    if connections.typing.allow("student", req.chat_id, req.typing):
        chats.student_typing(req.chat_id, req.typing)


@on_event(p.RATE_CHAT)
def rate_chat(data):
    """Sent by the student page: a 1-5 rating (and comment) of a closed conversation."""
    req = _joined_chat(RateChat, data)
    return chats.rate_chat(req.chat_id, req.rating, req.comment)


@on_event(p.SET_LANGUAGE)
def set_language(data):
    """Sent by the student page's ES/EN switch: the chat's notices are written in that language from now on."""
    req = _joined_chat(SetLanguage, data)
    return chats.choose_language(req.chat_id, req.language)


@on_event(p.SAVE_CONTACT)
def save_contact(data):
    """Sent by the student page's contact card: name, e-mail, optional phone and way to be called."""
    req = _joined_chat(SaveContact, data)
    return contact.save_contact(req.chat_id, req.name, req.email, req.phone, req.method, req.timezone)
