"""Pages opened from links in mails: manage a booked call; reopen a chat in any browser."""
from flask import Blueprint, g, render_template, request
from flask_babel import gettext

from assistant.tools import BookingRefused, SlotTaken
from db import chats as chat_db
from havana.actions import bookings
from havana.extensions import limiter
from havana.mail import compose, links
from havana.runtime import runtime
from havana.student.routes import index

bp = Blueprint("mail", __name__)


def _refused(exc):
    if exc.expired:
        title, message = gettext("Link expired"), gettext("This link has expired. Please open the chat to see or "
                                                           "book your call.")
        return render_template("error.html", title=title, message=message), 410
    return render_template("error.html", title=gettext("Link not valid"),
                           message=gettext("This link is not valid. Please use the link in your latest e-mail.")), 404


def _chat_of(purpose, token):
    chat_id = links.chat_of(purpose, token)
    chat = chat_db.get_chat(chat_id)
    if chat is None:
        raise links.LinkRefused()
    g.page_lang = chat.get("language") or None
    return chat


@bp.get("/call/<token>")
@limiter.limit("60 per minute")
def manage(token):
    try:
        chat = _chat_of(links.MANAGE, token)
    except links.LinkRefused as exc:
        return _refused(exc)
    return _manage_page(chat, token)


@bp.post("/call/<token>")
@limiter.limit("20 per minute")
def change(token):
    """The manage page's forms: move the call to `slot_id`, or cancel it (`action=cancel`)."""
    try:
        chat = _chat_of(links.MANAGE, token)
    except links.LinkRefused as exc:
        return _refused(exc)
    if request.form.get("action") == "cancel":
        # The chat's own cancel action: the chat and the desk see it, and it queues the cancelling invite.
        slot = bookings.cancel_chat_booking(chat["id"])
        notice = gettext("Your call was cancelled.") if slot else gettext("There was no call to cancel.")
        return _manage_page(chat_db.get_chat(chat["id"]), token, notice=notice)
    try:
        slot_id = int(request.form.get("slot_id", ""))
    except ValueError:
        return _manage_page(chat, token, error=gettext("Choose a time first.")), 400
    if not chat.get("contact_email"):
        return _manage_page(chat, token), 409  # a call is only booked here for a student we can reach
    had_call = bookings.chat_booking(chat["id"]) is not None
    try:
        # The chat's own race-safe booking action: it moves the call and queues the updated invite.
        bookings.book_slot(chat["id"], slot_id, address=request.remote_addr)
    except SlotTaken:
        return _manage_page(chat, token, error=gettext("That time was just taken. Please choose another.")), 409
    except BookingRefused as exc:
        return _manage_page(chat, token, error=exc.message), 409
    notice = gettext("Your call was moved.") if had_call else gettext("Your call is booked.")
    return _manage_page(chat_db.get_chat(chat["id"]), token, notice=notice)


def _manage_page(chat, token, notice=None, error=None):
    lang = chat.get("language") or "en"
    slot = bookings.chat_booking(chat["id"])
    call = None
    if slot is not None:
        start = compose.call_start(slot)
        zone = compose.student_zone(chat)
        call = {"when": compose.when(start, lang), "when_student": compose.when(start, lang, zone) if zone else None,
                "method": gettext(compose.METHODS.get(chat.get("contact_method") or "phone")),
                "meeting_url": compose.meeting_url(chat, slot) if chat.get("contact_method") == "video" else None,
                "past": start.replace(tzinfo=None) <= _now()}
    free = [{"id": s["id"], "label": compose.when(compose.call_start(s), lang)} for s in bookings.free_slots()[:60]]
    return render_template("manage.html", call=call, free=free, token=token, notice=notice, error=error,
                           name=chat.get("contact_name") or "", can_book=bool(chat.get("contact_email")))


def _now():
    return runtime.chatbot.now()


@bp.get("/chat/reopen/<token>")
@limiter.limit("30 per minute")
def reopen(token):
    """The link in an answer mail: the student page, told to open this chat (static/js/student/handover.js)."""
    try:
        chat = _chat_of(links.REOPEN, token)
    except links.LinkRefused as exc:
        return _refused(exc)
    g.handover = {"chat_id": chat["id"], "token": token}
    return index()
