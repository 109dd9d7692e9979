"""Hand-offs between the assistant and the advisors: escalate, take over, hand back, write as the operator."""
import json
import logging

import db
from assistant.brief import model_brief, rule_brief
from assistant.language import NAMES
from db import admins as admin_db, bookings as booking_db, chats as chat_db, history as history_db
from havana import broadcast, metrics, protocol as p
from havana.actions import bookings
from havana.actions.chats import add_notice
from havana.actions.checks import clean_text, locked_chat
from havana.actions.mail import answer_mail_wanted, queue_answer_mail
from havana.actions.models import active_model
from havana.actions.queue import advisor_availability, queue_changed
from havana.errors import ClientError
from havana.extensions import socketio
from havana.i18n import tr
from havana.runtime import runtime

log = logging.getLogger(__name__)


def escalate_chat(chat_id, reason):
    """Hand a chat to the advisors (once); returns (chat, availability). The brief is written after."""
    with db.transaction():
        chat = locked_chat(chat_id)
        availability = advisor_availability()
        if chat_db.escalate(chat_id, reason):
            chat = chat_db.get_chat(chat_id)
            add_notice(chat_id, tr(chat["language"], "You're being connected to an admissions advisor."))
            # Nobody can answer now: an answer must be able to reach the student after they leave.
            ask_contact = not availability["available_now"] and not chat_db.has_contact(chat)
            if ask_contact:
                add_notice(chat_id, tr(chat["language"], "No advisor is free right now. Leave your name and "
                                                         "e-mail below so an advisor can reach you."))
            broadcast.escalated(chat, ask_contact)
            queue_changed()
            db.on_commit(metrics.ESCALATIONS.inc)
            db.on_commit(lambda: socketio.start_background_task(write_brief, chat_id, reason))
    return chat, availability


def take_over_chat(chat_id, admin):
    """An advisor takes the chat: the assistant stops. Raises ClientError('taken') while another holds it."""
    with db.transaction():
        chat = locked_chat(chat_id)
        if not _holds(chat, admin):
            chat = _take_over(chat, admin)
    return p.desk_chat_state(chat, admin, admin)


def _take_over(chat, admin):
    # The guard (`taken_by IS NULL OR taken_by = me`) decides; the lock only makes a loser wait for it.
    if not chat_db.take_over(chat["id"], admin.id):
        raise _taken(chat)
    chat = dict(chat, status=p.STATUS_HUMAN, taken_by=admin.id, closed_at=None)
    add_notice(chat["id"], tr(chat["language"], "An advisor has joined the chat."))
    broadcast.hands_changed(chat, admin, admin)
    if booking_db.assign_unclaimed(chat["id"], admin.id):  # whoever takes the chat takes its call
        broadcast.call_updated(bookings.call_view(booking_db.booking_for_chat(chat["id"]), chat))
    queue_changed(left=chat["id"])
    return chat


def hand_back_chat(chat_id, admin):
    """The holding advisor gives the chat back to the assistant. Raises ClientError('taken') for others."""
    with db.transaction():
        chat = locked_chat(chat_id)
        if chat["status"] != p.STATUS_HUMAN:
            return p.desk_chat_state(chat)
        if not chat_db.hand_back(chat_id, admin.id):
            raise _taken(chat)
        chat = dict(chat, status=p.STATUS_AI, taken_by=None)
        add_notice(chat_id, tr(chat["language"], "You're back with the assistant."))
        broadcast.hands_changed(chat, admin)
        queue_changed()
    return p.desk_chat_state(chat, admin)


def _taken(chat):
    holder = admin_db.usernames({chat["taken_by"]}).get(chat["taken_by"], "another advisor")
    return ClientError("taken", f"{holder} is handling this chat.")


def post_operator_message(chat_id, text, admin, client_id=None):
    """An advisor writes to the student; writing takes the chat over first, so the assistant stays quiet.

    While the advisor holds the chat (and no answer mail is due) the message is stored by group
    commit with other chats' messages; otherwise by the full action below, which takes the chat over.
    """
    text = clean_text(text)
    write = history_db.write_message(history_db.MessageWrite(
        chat_id, p.ROLE_OPERATOR, text, client_id=client_id, author=admin.username,
        accept=lambda chat: _holds(chat, admin) and not answer_mail_wanted(chat)))
    if not write.accepted:
        return _post_taking_over(chat_id, text, admin, client_id)
    row = dict(write.row, author_display=admin.display_name)
    if write.created:
        broadcast.message(row)  # ends the advisor's typing indicator on the student's page
    return p.desk_message(row)


def _holds(chat, admin):
    return chat["status"] == p.STATUS_HUMAN and chat["taken_by"] == admin.id


def _post_taking_over(chat_id, text, admin, client_id):
    with db.transaction():
        chat = locked_chat(chat_id)
        if not _holds(chat, admin):
            chat = _take_over(chat, admin)
        row, created = history_db.add_message(chat_id, p.ROLE_OPERATOR, text, client_id=client_id,
                                              author=admin.username)
        row = dict(row, author_display=admin.display_name)
        if created:
            broadcast.message(row)  # ends the advisor's typing indicator on the student's page
            queue_answer_mail(chat, row["id"])  # reaches a student who left, by e-mail, in one batch
    return p.desk_message(row)


def advisor_typing(chat_id, typing, sid=None):
    """The student, and the other advisors on the chat, see that an advisor is typing."""
    broadcast.advisor_typing(chat_id, typing, skip_sid=sid)


def write_brief(chat_id, reason):
    """Background task: the hand-off brief, by the active model (by rules for the offline assistant)."""
    try:
        history = history_db.recent_messages(chat_id, limit=60)
        brief, written_by = None, "local"
        provider = runtime.chatbot.providers[active_model()]
        if provider.name != "local":
            try:
                brief, written_by = model_brief(provider.client(), history, reason), provider.model
            except Exception as exc:  # a provider fault falls back to the rules
                log.warning("brief by %s failed for chat %s: %s", provider.name, chat_id, type(exc).__name__)
        brief = dict(brief or rule_brief(history, reason), model=written_by)
        with db.transaction():
            chat = locked_chat(chat_id)
            if chat.get("language") in NAMES:  # the chat's language (maybe chosen on the page) over a guess
                brief["language"] = NAMES[chat["language"]]
            chat_db.set_brief(chat_id, json.dumps(brief))
            booking = booking_db.booking_for_chat(chat_id)
            if booking:
                booking_db.set_note(booking["id"], json.dumps(brief))
            broadcast.brief_ready(chat_id, brief)
    except Exception:
        log.exception("writing the brief failed for chat %s", chat_id)
