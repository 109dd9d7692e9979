"""Socket events sent by the admin dashboard. Every one requires a signed-in admin."""
from typing import Optional

from flask import current_app, request
from flask_login import current_user
from flask_socketio import join_room
from pydantic import Field

from havana import protocol as p
from havana.admin.access import require_admin
from havana.extensions import socketio
from havana.payloads import Payload, parse
from havana.sockets import on_event


class AdminConnect(Payload):
    chat_id: Optional[str] = Field(None, min_length=1, max_length=32)


class ChatRef(Payload):
    chat_id: str = Field(min_length=1, max_length=32)


class AdminMessage(ChatRef):
    message: str
    client_id: Optional[str] = Field(None, min_length=1, max_length=64)


class ToggleHuman(ChatRef):
    enabled: bool


class Typing(ChatRef):
    typing: bool


class Availability(Payload):
    available: bool


def _services():
    return current_app.extensions["havana"]


@socketio.on("connect")
def on_connect(auth=None):
    """Any page connects; a signed-in admin's connection joins the dashboard room."""
    if current_user.is_authenticated:
        join_room(p.ADMINS_ROOM)


@socketio.on("disconnect")
def on_disconnect(reason=None):
    """An admin closing the page stops counting as viewing its chat."""
    if current_user.is_authenticated:
        _services().close_chat_as_admin(request.sid)


@on_event(p.ADMIN_CONNECT)
def admin_connect(data):
    """Sent by the dashboard: without chat_id, the desk's state; with one, open that chat."""
    admin, req = require_admin(), parse(AdminConnect, data)
    join_room(p.ADMINS_ROOM)
    services = _services()
    if req.chat_id:
        return services.open_chat_as_admin(request.sid, req.chat_id, admin)
    return services.desk(admin)


@on_event(p.ADMIN_DISCONNECT_FROM_CHAT)
def admin_disconnect_from_chat(data):
    """Sent by the dashboard when the advisor closes the chat view."""
    require_admin()
    parse(ChatRef, data)
    _services().close_chat_as_admin(request.sid)


@on_event(p.ADMIN_MESSAGE)
def admin_message(data):
    """Sent by the dashboard: the advisor writes to the student."""
    admin, req = require_admin(), parse(AdminMessage, data)
    return {"message": _services().post_operator_message(req.chat_id, req.message, admin, req.client_id)}


@on_event(p.TOGGLE_HUMAN_ENABLED)
def toggle_human_enabled(data):
    """Sent by the dashboard's "Human intervention" switch."""
    admin, req = require_admin(), parse(ToggleHuman, data)
    return _services().set_human_enabled(req.chat_id, req.enabled, admin)


@on_event(p.ADMIN_TYPING)
def admin_typing(data):
    """Sent by the dashboard (throttled) while the advisor types to the student."""
    admin, req = require_admin(), parse(Typing, data)
    _services().admin_typing(req.chat_id, req.typing, admin, request.sid)


@on_event(p.SET_AVAILABILITY)
def set_availability(data):
    """Sent by the dashboard's available / away switch."""
    admin, req = require_admin(), parse(Availability, data)
    return _services().set_availability(admin, req.available)


@on_event(p.CLOSE_CHAT)
def close_chat(data):
    """Sent by the dashboard: the advisor closes the conversation (the student may rate it)."""
    admin, req = require_admin(), parse(ChatRef, data)
    return _services().close_chat(req.chat_id, admin)


@on_event(p.REOPEN_CHAT)
def reopen_chat(data):
    """Sent by the dashboard: reopen a closed conversation."""
    admin, req = require_admin(), parse(ChatRef, data)
    return _services().reopen_chat(req.chat_id, admin)
