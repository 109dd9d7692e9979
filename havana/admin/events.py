"""Socket events sent by the admin dashboard. Every one requires a signed-in admin."""
from flask import request
from flask_login import current_user
from flask_socketio import join_room

from havana import protocol as p
from havana.actions import chats, handoff, queue
from havana.actions.desk import desk, viewers
from havana.admin.access import require_admin
from havana.extensions import socketio
from havana.payloads import AdminConnect, AdminMessage, AdminTyping, Availability, ChatRef, ToggleHuman, parse
from havana.sockets import on_event


@socketio.on("connect")
def on_connect(auth=None):
    """Any page connects; a signed-in admin's connection joins the dashboard room."""
    if current_user.is_authenticated:
        join_room(p.ADMINS_ROOM)


@socketio.on("disconnect")
def on_disconnect(reason=None):
    """An admin closing the page stops counting as viewing its chat."""
    if current_user.is_authenticated:
        viewers.close(request.sid)


@on_event(p.ADMIN_CONNECT)
def admin_connect(data):
    """Sent by the dashboard: without chat_id, the desk's state; with one, open that chat."""
    admin, req = require_admin(), parse(AdminConnect, data)
    join_room(p.ADMINS_ROOM)
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
    return {"message": handoff.post_operator_message(req.chat_id, req.message, admin, req.client_id)}


@on_event(p.TOGGLE_HUMAN_ENABLED)
def toggle_human_enabled(data):
    """Sent by the dashboard's "Human intervention" switch: take over (true) or hand back (false)."""
    admin, req = require_admin(), parse(ToggleHuman, data)
    if req.enabled:
        return handoff.take_over_chat(req.chat_id, admin)
    return handoff.hand_back_chat(req.chat_id, admin)


@on_event(p.ADMIN_TYPING)
def admin_typing(data):
    """Sent by the dashboard (throttled) while the advisor types to the student."""
    require_admin()
    req = parse(AdminTyping, data)
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
