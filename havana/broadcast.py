"""Who receives what. Every server -> client event leaves through this module.

Audiences: the student's room (`chat:<id>`), the whole desk (`admins`), and the advisors who
have one chat open (`watch:<id>`). Each function shapes the payload for each audience
(havana/protocol.py) and queues the emit with db.on_commit: called inside an action's
transaction, nothing leaves until the outermost COMMIT, and nothing at all after a rollback.
"""
from db import on_commit
from havana import metrics, protocol as p
from havana.extensions import socketio


def _emit(event, payload, to, skip_sid=None):
    on_commit(lambda: socketio.emit(event, payload, to=to, skip_sid=skip_sid))


def _student_and_desk(event, student, desk, chat_id, desk_room=p.ADMINS_ROOM):
    """One emit (one publish with Redis) when both audiences get the same payload, else one each."""
    if student == desk:
        _emit(event, student, [p.chat_room(chat_id), desk_room])
    else:
        _emit(event, student, p.chat_room(chat_id))
        _emit(event, desk, desk_room)


# -- messages -------------------------------------------------------------------------------

def message(row, stream_id=None):
    """A stored message: to its student and to every advisor."""
    extra = {"stream_id": stream_id} if stream_id else {}
    _student_and_desk(p.NEW_MESSAGE, {**p.student_message(row), **extra}, {**p.desk_message(row), **extra},
                      row["chat_id"])


def message_delta(chat_id, stream_id, delta=None):
    """Part of an AI reply as it is produced (`delta` None: drop the text so far)."""
    payload = {"chat_id": chat_id, "stream_id": stream_id, **({"delta": delta} if delta is not None else
                                                               {"reset": True})}
    _emit(p.MESSAGE_DELTA, payload, [p.chat_room(chat_id), p.watch_room(chat_id)])


def assistant_typing(chat_id, typing):
    _emit(p.TYPING, {"chat_id": chat_id, "who": "assistant", "typing": typing},
          [p.chat_room(chat_id), p.watch_room(chat_id)])


def advisor_typing(chat_id, typing, skip_sid=None):
    """The student, and the other advisors on the chat, see that an advisor is typing (not who)."""
    _emit(p.TYPING, {"chat_id": chat_id, "who": "advisor", "typing": typing},
          [p.chat_room(chat_id), p.watch_room(chat_id)], skip_sid=skip_sid)


def student_typing(chat_id, typing):
    _emit(p.TYPING, {"chat_id": chat_id, "who": "student", "typing": typing},
          [p.watch_room(chat_id), p.ADMINS_ROOM])


# -- chat lifecycle -------------------------------------------------------------------------

def chat_created(summary):
    """A new chat for the desk's list (the student has it from the connect ack)."""
    _emit(p.CHAT_CREATED, {"chat_id": summary["id"], "chat": summary}, p.ADMINS_ROOM)


def escalated(chat, ask_contact=False):
    """`ask_contact`: no advisor can answer now, so the student's page asks how to reach them."""
    _student_and_desk(p.ESCALATION_TRIGGERED, {"chat_id": chat["id"], "status": chat["status"],
                                               "ask_contact": ask_contact},
                      {"chat_id": chat["id"], "status": chat["status"], "reason": chat["escalation_reason"],
                       "escalated_at": p.iso(chat["escalated_at"])}, chat["id"])


def brief_ready(chat_id, brief):
    _emit(p.BRIEF_READY, {"chat_id": chat_id, "brief": brief}, p.ADMINS_ROOM)


def hands_changed(chat, by, holder=None):
    """Taken over or handed back: `by` did it, `holder` has the chat now (None: the assistant)."""
    _student_and_desk(p.HUMAN_ENABLED_CHANGED, p.student_chat_state(chat, holder),
                      p.desk_chat_state(chat, by, holder), chat["id"])


def chat_closed(chat, by):
    _student_and_desk(p.CHAT_CLOSED, p.student_chat_state(chat), p.desk_chat_state(chat, by), chat["id"])


def chat_reopened(chat, by=None):
    _student_and_desk(p.CHAT_REOPENED, p.student_chat_state(chat), p.desk_chat_state(chat, by), chat["id"])


def chat_language(chat_id, language):
    """The chat's language changed (detected or chosen): the desk's list and header show it."""
    _student_and_desk(p.CHAT_LANGUAGE, {"chat_id": chat_id, "language": language},
                      {"chat_id": chat_id, "language": language}, chat_id)


def chat_rated(chat_id, rating, comment):
    _emit(p.CHAT_RATED, {"chat_id": chat_id, "rating": rating, "comment": comment}, p.ADMINS_ROOM)


def queue_status(status):
    """Where a waiting student stands: to that student only."""
    _emit(p.QUEUE_STATUS, status, p.chat_room(status["chat_id"]))


def presence(chat_id, viewers):
    """How many advisors have the chat open (the student), and who (the desk)."""
    _student_and_desk(p.ADMIN_STATUS_CHANGED, {"chat_id": chat_id, "advisors_online": len(viewers)},
                      {"chat_id": chat_id, "advisors_online": len(viewers), "viewers": viewers}, chat_id)


def reply_failed(chat_id):
    """The assistant could not answer (the database went away mid-reply): the student may retry."""
    metrics.DATABASE_UNAVAILABLE.labels("reply").inc()
    _emit(p.ERROR, {"code": "unavailable", "event": p.STUDENT_MESSAGE,
                    "message": "The assistant could not answer just now. Please try again."}, p.chat_room(chat_id))


# -- bookings -------------------------------------------------------------------------------

def booking_confirmed(chat_id, slot):
    payload = {"chat_id": chat_id, "booking": p.booking_payload(slot)}
    _student_and_desk(p.BOOKING_CONFIRMED, payload, payload, chat_id)


def booking_cancelled(chat_id, slot):
    payload = {"chat_id": chat_id, "booking": p.booking_payload(slot)}
    _student_and_desk(p.BOOKING_CANCELLED, payload, payload, chat_id)


def booking_held(chat_id, slot):
    """Booked without contact details: the student's page asks for them; the desk shows the hold."""
    payload = {"chat_id": chat_id, "booking": p.booking_payload(slot)}
    _student_and_desk(p.BOOKING_HELD, payload, payload, chat_id)


def contact_saved(chat):
    """The student's contact details: back to their own page, and to the desk beside the brief."""
    payload = {"chat_id": chat["id"], "contact": p.contact_payload(chat)}
    _student_and_desk(p.CONTACT_SAVED, payload, payload, chat["id"])


def call_updated(call):
    """A call claimed by an advisor or marked attended / no-show: the desk's bookings panel."""
    _emit(p.CALL_UPDATED, {"call": call}, p.ADMINS_ROOM)


# -- the desk -------------------------------------------------------------------------------

def availability_changed(state, admin, available):
    _emit(p.AVAILABILITY_CHANGED, dict(state, admin=admin.username, available=available), p.ADMINS_ROOM)


def model_changed(state):
    _emit(p.MODEL_CHANGED, state, p.ADMINS_ROOM)


def canned_changed(canned):
    _emit(p.CANNED_CHANGED, {"canned": canned}, p.ADMINS_ROOM)


def knowledge_changed(answers):
    _emit(p.KNOWLEDGE_CHANGED, {"answers": answers}, p.ADMINS_ROOM)


# -- the connection that sent an event ------------------------------------------------------

def refused(sid, event, error):
    """A refused client event: an `error` to that connection only (the ack says the same)."""
    _emit(p.ERROR, {**error, "event": event}, sid)
