"""A chat's own life: open it, write in it as the student or as the system, close, reopen, rate."""
import db
from assistant.language import detect
from db import bookings as booking_db, chats as chat_db, history as history_db, presence
from havana import broadcast, protocol as p
from havana.actions.checks import clean_text, locked_chat
from havana.actions.queue import queue_changed, queue_status
from havana.errors import ClientError, chat_not_found, forbidden
from havana.i18n import tr
from havana.runtime import runtime

# The chat's language follows the student's first few messages (a greeting alone may mislead);
# after these it stays, so notices do not flip on one message in another language.
DETECT_MESSAGES = 3


def start_chat(address, language=None):
    """A new chat in the page's `language`; returns (chat, token). The token goes to the creating connection only."""
    runtime.limits.hit("chat_per_address", address)
    with db.transaction():
        chat, token = chat_db.create_chat(language)
        broadcast.chat_created(p.desk_chat(chat, None, []))
    return chat, token


def open_chat(chat_id, token):
    """The chat, if the token is right; a message left unanswered (a server stopped mid-reply) is answered now."""
    chat = chat_db.get_chat(chat_id)
    if chat is None:
        raise chat_not_found()
    if not (chat_db.token_matches(chat, token) or _reopen_link_matches(chat_id, token)):
        raise forbidden("That chat token is not valid.")
    runtime.replies.answer_if_pending(chat)
    return chat


def _reopen_link_matches(chat_id, token):
    """The signed token of an answer mail's link opens its chat in another browser (until it expires)."""
    from havana.mail import links
    try:
        return isinstance(token, str) and links.chat_of(links.REOPEN, token) == chat_id
    except links.LinkRefused:
        return False


def adopt_page_language(chat, language):
    """A chat whose language is not known yet takes the page's (a chat from before languages existed)."""
    if chat.get("language") or not language:
        return chat
    with db.transaction():
        chat_db.set_language(chat["id"], language)
        broadcast.chat_language(chat["id"], language)
    return dict(chat, language=language)


def choose_language(chat_id, language):
    """The student picked a language on the page: the chat's notices use it from now on."""
    with db.transaction():
        chat = locked_chat(chat_id)
        chat_db.set_language(chat_id, language, chosen=True)
        if chat.get("language") != language:
            broadcast.chat_language(chat_id, language)
    return {"chat_id": chat_id, "language": language}


def _detect_language(chat, text, count):
    """The student's first few messages decide the chat's language (the `count`th is `text`), unless they chose one."""
    if chat.get("language_chosen") or count > DETECT_MESSAGES:
        return
    language = detect(text, chat.get("language") if count > 1 else None)
    if language != chat.get("language"):
        with db.transaction():
            chat_db.set_language(chat["id"], language)
            broadcast.chat_language(chat["id"], language)


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
    if not (chat_db.token_matches(chat, token) or _reopen_link_matches(chat_id, token)):
        raise forbidden("That chat token is not valid.")
    rows = history_db.messages_before(chat_id, before_id, PAGE + 1)
    return {"messages": [p.student_message(m) for m in rows[-PAGE:]], "has_more": len(rows) > PAGE}


def post_student_message(chat_id, text, client_id=None, address=None):
    """Store a student's message, show it everywhere, and queue the AI's answer after the commit.

    Stored by group commit with other chats' messages; a message in a closed chat takes the full
    action below, which reopens it. A retried client_id is answered with the stored row.
    """
    text = clean_text(text)
    runtime.limits.hit("message_per_chat", chat_id)
    runtime.limits.hit("message_per_address", address or "unknown")
    write = history_db.write_message(history_db.MessageWrite(
        chat_id, p.ROLE_STUDENT, text, client_id=client_id, viewed_since=presence.fresh_since(),
        accept=lambda chat: chat["status"] != p.STATUS_CLOSED,
        read=lambda w: runtime.replies.read_context(w.chat, w.row["id"])))
    if not write.accepted:
        return _post_reopening(chat_id, text, client_id, address)
    if write.created:
        _posted(write.chat, write.row, write.student_count, address, write.read_result)
    return p.student_message(write.row)


def _post_reopening(chat_id, text, client_id, address):
    with db.transaction():
        chat = locked_chat(chat_id)
        if chat["status"] == p.STATUS_CLOSED:  # the notice comes before the message that reopened it
            _reopen(chat, None, tr(chat["language"], "Welcome back! The conversation is open again."))
        row, created = history_db.add_message(chat_id, p.ROLE_STUDENT, text, client_id=client_id,
                                              viewed_since=presence.fresh_since())
        if created:
            _posted(chat, row, chat["student_messages"] + 1, address)
    return p.student_message(row)


def _posted(chat, row, count, address, context=None):
    """What follows a stored student message: everyone sees it, its language counts, the assistant
    answers (`context`: what the reply needs, when the write read it)."""
    broadcast.message(row)  # ends the student's typing indicator on every page
    _detect_language(chat, row["message"], count)
    db.on_commit(lambda: runtime.replies.queue(chat["id"], row["id"], address, context))


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
        add_notice(chat_id, tr(chat["language"], "This conversation was closed by the admissions office. "
                                                 "You can still write here to reopen it."))
        broadcast.chat_closed(chat, admin)
        queue_changed(left=chat_id)
    return p.desk_chat_state(chat, admin)


def reopen_chat(chat_id, admin):
    """An advisor reopens a closed conversation: the assistant answers again."""
    with db.transaction():
        chat = locked_chat(chat_id)
        chat = _reopen(chat, admin, tr(chat["language"], "The conversation was reopened."))
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
