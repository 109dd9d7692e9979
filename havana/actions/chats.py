"""A chat's own life: open it, write in it as the student or as the system, close, reopen, rate."""
import db
from db import bookings as booking_db, chats as chat_db, history as history_db, presence
from havana import broadcast, protocol as p
from havana.actions.checks import clean_text, locked_chat
from havana.actions.queue import queue_changed, queue_status
from havana.errors import ClientError, chat_not_found, forbidden
from havana.runtime import runtime

WELCOME_BACK = "Welcome back! The conversation is open again."


def start_chat(address):
    """A new chat; returns (chat, token). The token goes to the creating connection only (its ack)."""
    runtime.limits.hit("chat_per_address", address)
    with db.transaction():
        chat, token = chat_db.create_chat()
        broadcast.chat_created(p.desk_chat(chat, None, []))
    return chat, token


def open_chat(chat_id, token):
    """The chat, if the token is right; a message left unanswered (a server stopped mid-reply) is answered now."""
    chat = chat_db.get_chat(chat_id)
    if chat is None:
        raise chat_not_found()
    if not chat_db.token_matches(chat, token):
        raise forbidden("That chat token is not valid.")
    runtime.replies.answer_if_pending(chat)
    return chat


def chat_view(chat):
    """The chat as its student sees it, with where they stand in the advisors' queue."""
    view = p.student_chat(chat, booking_db.booking_for_chat(chat["id"]), len(presence.viewers(chat["id"])))
    view["queue"] = queue_status(chat["id"]) if chat["status"] == p.STATUS_WAITING else None
    return view


# Messages a chat opens on; older ones come a page at a time (earlier_messages, GET .../messages?before_id=).
PAGE = 500


def messages_since(chat_id, last_id):
    """The student's view of the messages after last_id: every one since a reconnect, else the latest page.

    A first load (no last_id), or a reconnect that missed more than a page, gets the latest PAGE
    messages: a long chat opens on where it is now, never on its beginning.
    """
    rows = history_db.messages_after(chat_id, last_id, limit=PAGE + 1) if last_id else []
    if not last_id or len(rows) > PAGE:
        rows = history_db.messages_before(chat_id, None, PAGE)
    return [p.student_message(m) for m in rows]


def earlier_messages(chat_id, token, before_id):
    """The student's page of messages before before_id (scrolling back); needs the chat's token."""
    chat = chat_db.get_chat(chat_id)
    if chat is None:
        raise chat_not_found()
    if not chat_db.token_matches(chat, token):
        raise forbidden("That chat token is not valid.")
    rows = history_db.messages_before(chat_id, before_id, PAGE + 1)
    return {"messages": [p.student_message(m) for m in rows[-PAGE:]], "has_more": len(rows) > PAGE}


def post_student_message(chat_id, text, client_id=None, address=None):
    """Store a student's message, show it everywhere, and queue the AI's answer after the commit.

    A message in a closed chat reopens it. A retried client_id is answered with the stored row.
    """
    text = clean_text(text)
    runtime.limits.hit("message_per_chat", chat_id)
    runtime.limits.hit("message_per_address", address or "unknown")
    with db.transaction():
        chat = locked_chat(chat_id)
        if chat["status"] == p.STATUS_CLOSED:
            _reopen(chat, None, WELCOME_BACK)  # the notice comes before the message that reopened it
        row, created = history_db.add_message(chat_id, p.ROLE_STUDENT, text, client_id=client_id,
                                              viewed_since=presence.fresh_since())
        if created:
            broadcast.message(row)
            broadcast.student_typing(chat_id, False)
            db.on_commit(lambda: runtime.replies.queue(chat_id, row["id"]))
    return p.student_message(row)


def add_notice(chat_id, text):
    """An inline system notice, inside the caller's transaction (which has locked the chat)."""
    row, _ = history_db.add_message(chat_id, p.ROLE_SYSTEM, text)
    broadcast.message(row)
    return row


def student_typing(chat_id, typing):
    """Advisors with the chat open, and the dashboard list, see that the student is typing."""
    broadcast.student_typing(chat_id, typing)


def close_chat(chat_id, admin):
    """An advisor closes the conversation (nobody holds it any more); the student is asked to rate it."""
    with db.transaction():
        chat = locked_chat(chat_id)
        if not chat_db.close(chat_id):
            return p.desk_chat_state(chat)
        chat = dict(chat, status=p.STATUS_CLOSED, taken_by=None)
        add_notice(chat_id, "This conversation was closed by the admissions office. "
                            "You can still write here to reopen it.")
        broadcast.chat_closed(chat, admin)
        queue_changed(left=chat_id)
    return p.desk_chat_state(chat, admin)


def reopen_chat(chat_id, admin):
    """An advisor reopens a closed conversation: the assistant answers again."""
    with db.transaction():
        chat = _reopen(locked_chat(chat_id), admin, "The conversation was reopened.")
    return p.desk_chat_state(chat, admin)


def _reopen(chat, admin, notice):
    if not chat_db.reopen(chat["id"]):
        return chat
    chat = dict(chat, status=p.STATUS_AI, closed_at=None)
    add_notice(chat["id"], notice)
    broadcast.chat_reopened(chat, admin)
    return chat


def rate_chat(chat_id, rating, comment):
    """The student rates a closed conversation (rating again replaces it)."""
    comment = (comment or "").strip()[:1000] or None
    with db.transaction():
        locked_chat(chat_id)
        if not chat_db.rate(chat_id, rating, comment):
            raise ClientError("not_closed", "You can rate the conversation once it is closed.")
        broadcast.chat_rated(chat_id, rating, comment)
    return {"chat_id": chat_id, "rating": rating, "comment": comment}
