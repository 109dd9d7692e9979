"""Socket events sent by the admin dashboard. Every one requires a signed-in admin."""
from flask import request
from flask_login import current_user
from flask_socketio import join_room

import db
from havana import connections, protocol as p
from havana.advisor_sockets import registry as advisor_sockets
from havana.actions import chats, handoff, queue
from havana.actions.desk import desk, viewers
from havana.admin.access import require_admin
from havana.errors import forbidden
from havana.extensions import socketio
from havana.payloads import AdminConnect, AdminMessage, AdminTyping, Availability, ChatRef, ToggleHuman, parse
from havana.sockets import on_event


@socketio.on("connect")
def on_connect(auth=None):
    """Any page connects; a signed-in admin's connection joins the dashboard room."""
    try:
        member = current_user.is_authenticated and advisor_sockets().add(request.sid, current_user)
    except db.DatabaseUnavailable:
        return False  # refused: the dashboard reconnects, and is checked again
    if member:
        join_room(p.ADMINS_ROOM)


@socketio.on("disconnect")
def on_disconnect(reason=None):
    """An admin closing the page (or signed out) stops counting as viewing its chat."""
    if advisor_sockets().remove(request.sid):
        viewers.close(request.sid)


def _desk_member():
    """The signed-in admin, whose account is read afresh before the socket (re)joins the desk's rooms."""
    admin = require_admin()
    if not advisor_sockets().add(request.sid, admin):
        raise forbidden("Sign in as an admin first.")
    join_room(p.ADMINS_ROOM)
    return admin


@on_event(p.ADMIN_CONNECT)
def admin_connect(data):
    """Sent by the dashboard: without chat_id, the desk's state; with one, open that chat."""
    req = parse(AdminConnect, data)
    admin = _desk_member()
    if req.chat_id:
        return viewers.open(request.sid, req.chat_id, admin)
    return desk(admin)


@on_event(p.ADMIN_DISCONNECT_FROM_CHAT)
def admin_disconnect_from_chat(data):
    """Sent by the dashboard when the advisor closes the chat view."""
    require_admin()
    parse(ChatRef, data)
    viewers.close(request.sid)


@on_event(p.ADMIN_MESSAGE)
def admin_message(data):
    """Sent by the dashboard: the advisor writes to the student (taking the chat over if needed)."""
    admin, req = require_admin(), parse(AdminMessage, data)
    message = handoff.post_operator_message(req.chat_id, req.message, admin, req.client_id)
    connections.typing.stopped("advisor", req.chat_id)
    return {"message": message}


@on_event(p.TOGGLE_HUMAN_ENABLED)
def toggle_human_enabled(data):
    """Sent by the dashboard's "Human intervention" switch: take over (true) or hand back (false)."""
    admin, req = require_admin(), parse(ToggleHuman, data)
    if req.enabled:
        return handoff.take_over_chat(req.chat_id, admin)
    return handoff.hand_back_chat(req.chat_id, admin)


@on_event(p.ADMIN_TYPING)
def admin_typing(data):
    """Sent by the dashboard while the advisor types to the student; throttled here too (connections.py)."""
    require_admin()
    req = parse(AdminTyping, data)
    if connections.typing.allow("advisor", req.chat_id, req.typing):
        handoff.advisor_typing(req.chat_id, req.typing, request.sid)


@on_event(p.SET_AVAILABILITY)
def set_availability(data):
    """Sent by the dashboard's available / away switch."""
    admin, req = require_admin(), parse(Availability, data)
    return queue.set_availability(admin, req.available)


@on_event(p.CLOSE_CHAT)
def close_chat(data):
    """Sent by the dashboard: the advisor closes the conversation (the student may rate it)."""
    admin, req = require_admin(), parse(ChatRef, data)
    return chats.close_chat(req.chat_id, admin)


@on_event(p.REOPEN_CHAT)
def reopen_chat(data):
    """Sent by the dashboard: reopen a closed conversation."""
    admin, req = require_admin(), parse(ChatRef, data)
    return chats.reopen_chat(req.chat_id, admin)
