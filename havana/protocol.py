"""Socket.IO event names, rooms and payload shapes, written down once (docs/protocol.md).

Each shape exists for its audience: `student_*` payloads go to a student's page and never carry
advisor account names, escalation reasons or briefs; `desk_*` payloads go to signed-in advisors.
"""
import json

from assistant.when import slot_label
from db.schema import (  # noqa: F401  (the chat statuses and message roles, named once)
    CHAT_STATUSES, ROLE_AI, ROLE_OPERATOR, ROLE_STUDENT, ROLE_SYSTEM, ROLES, STATUS_AI, STATUS_CLOSED,
    STATUS_HUMAN, STATUS_WAITING,
)

# client -> server, student page
STUDENT_CONNECT = "student_connect"
STUDENT_MESSAGE = "student_message"
STUDENT_TYPING = "student_typing"
RATE_CHAT = "rate_chat"
SET_LANGUAGE = "set_language"
SAVE_CONTACT = "save_contact"

# client -> server, dashboard
ADMIN_CONNECT = "admin_connect"
ADMIN_MESSAGE = "admin_message"
ADMIN_DISCONNECT_FROM_CHAT = "admin_disconnect_from_chat"
TOGGLE_HUMAN_ENABLED = "toggle_human_enabled"
ADMIN_TYPING = "admin_typing"
SET_AVAILABILITY = "set_availability"
CLOSE_CHAT = "close_chat"
REOPEN_CHAT = "reopen_chat"

# server -> client
NEW_MESSAGE = "new_message"
MESSAGE_DELTA = "message_delta"
CHAT_CREATED = "chat_created"  # to the desk only: the student's page has its chat from the connect ack
TYPING = "typing"
ESCALATION_TRIGGERED = "escalation_triggered"
HUMAN_ENABLED_CHANGED = "human_enabled_changed"
BOOKING_CONFIRMED = "booking_confirmed"
BOOKING_CANCELLED = "booking_cancelled"
BOOKING_HELD = "booking_held"  # booked without contact details: held until they are given
CONTACT_SAVED = "contact_saved"
CALL_UPDATED = "call_updated"  # to the desk: a call claimed, or its outcome recorded
ADMIN_STATUS_CHANGED = "admin_status_changed"
MODEL_CHANGED = "model_changed"
BRIEF_READY = "brief_ready"
QUEUE_STATUS = "queue_status"
AVAILABILITY_CHANGED = "availability_changed"
CANNED_CHANGED = "canned_changed"
KNOWLEDGE_CHANGED = "knowledge_changed"
CHAT_CLOSED = "chat_closed"
CHAT_REOPENED = "chat_reopened"
CHAT_RATED = "chat_rated"
CHAT_LANGUAGE = "chat_language"
ERROR = "error"

ADMINS_ROOM = "admins"

# What a student sees as the author of an advisor's message until the advisor sets a display name.
DEFAULT_ADVISOR_NAME = "Admissions advisor"


def chat_room(chat_id):
    """The student's connections to this chat."""
    return f"chat:{chat_id}"


def watch_room(chat_id):
    """The admins who have this chat open (typing and streaming go there, not to every admin)."""
    return f"watch:{chat_id}"


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if moment else None


PROVIDER_NAMES = {"openai": "OpenAI", "gemini": "Gemini", "local": "Offline assistant"}


def model_label(model):
    """'openai:gpt-4o' -> 'OpenAI gpt-4o'; 'local' -> 'Offline assistant'."""
    if not model:
        return None
    provider, _, name = model.partition(":")
    if provider == "local":
        return PROVIDER_NAMES["local"]
    return f"{PROVIDER_NAMES.get(provider, provider)} {name}".strip()


def advisor_name(display_name):
    return display_name or DEFAULT_ADVISOR_NAME


# -- messages ------------------------------------------------------------------------------

def student_message(row):
    """A chat_history row as the student sees it (`author_name`, never the advisor's account)."""
    payload = {
        "id": row["id"], "chat_id": row["chat_id"], "role": row["role"], "message": row["message"],
        "model": (row.get("model") or "").partition(":")[0] or None, "model_label": model_label(row.get("model")),
        "created_at": iso(row["created_at"]), "client_id": row.get("client_id"), "source": row.get("source"),
    }
    if row["role"] == ROLE_OPERATOR:
        payload["author_name"] = advisor_name(row.get("author_display"))
    return payload


def desk_message(row):
    """A chat_history row as advisors see it: the student's view plus the author's account name."""
    payload = student_message(row)
    if row.get("author"):
        payload["author"] = row["author"]
    return payload


# -- chats ---------------------------------------------------------------------------------

def booking_payload(slot):
    """A booked (or held) slot; `held_until` is set while the call waits for the student's contact."""
    if not slot:
        return None
    return {"id": slot["id"], "date": slot["date"].isoformat(), "time": slot["time"].strftime("%H:%M"),
            "label": slot_label(slot["date"], slot["time"]), "held_until": iso(slot.get("held_until")),
            "confirmed": bool(slot.get("chat_id")) and slot.get("held_until") is None}


def contact_payload(chat):
    """The chat's contact details (for the desk and the student themselves), or None when not given."""
    if not chat.get("contact_email"):
        return None
    return {"name": chat["contact_name"], "email": chat["contact_email"], "phone": chat.get("contact_phone"),
            "method": chat.get("contact_method"), "timezone": chat.get("contact_timezone")}


def student_chat(chat, booking=None, advisors_online=0):
    """The chat as its student sees it."""
    return {
        "id": chat["id"], "status": chat["status"], "is_human_enabled": chat["status"] == STATUS_HUMAN,
        "advisors_online": advisors_online, "created_at": iso(chat["created_at"]),
        "last_message_at": iso(chat["last_message_at"]), "booking": booking_payload(booking),
        "closed_at": iso(chat.get("closed_at")), "rating": chat.get("rating"),
        "language": chat.get("language"), "contact": contact_payload(chat),
    }


def desk_chat(chat, booking, viewers, holder=None):
    """A chat as the dashboard lists it; `holder` is the username of the advisor who has taken it over."""
    last = chat.get("last_message")
    return {**student_chat(chat, booking, len(viewers)), "escalation_reason": chat["escalation_reason"],
            "viewers": viewers, "unread": int(chat.get("unread") or 0),
            "escalated_at": iso(chat.get("escalated_at")), "brief": json_or_none(chat.get("brief")),
            "rating_comment": chat.get("rating_comment"),
            "taken_by": holder if chat["status"] == STATUS_HUMAN else None,
            "last_message": desk_message(last) if last else None}


def student_chat_state(chat, advisor=None):
    """A change of hands or of lifecycle, as the student sees it; `advisor` is the one who took over."""
    payload = {"chat_id": chat["id"], "status": chat["status"], "is_human_enabled": chat["status"] == STATUS_HUMAN}
    if advisor is not None and chat["status"] == STATUS_HUMAN:
        payload["author_name"] = advisor_name(advisor.display_name)
    return payload


def desk_chat_state(chat, by=None, holder=None):
    """The same change for advisors: who did it (`by`) and who holds the chat now (`taken_by`)."""
    payload = {"chat_id": chat["id"], "status": chat["status"], "is_human_enabled": chat["status"] == STATUS_HUMAN,
               "by": by.username if by else None,
               "taken_by": holder.username if holder and chat["status"] == STATUS_HUMAN else None}
    if holder is not None and chat["status"] == STATUS_HUMAN:
        payload["author_name"] = advisor_name(holder.display_name)
    return payload


def json_or_none(raw):
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def canned_payload(row):
    return {"id": row["id"], "shortcut": row["shortcut"], "text": row["text"]}


def answer_payload(row):
    return {"id": row["id"], "question": row["question"], "answer": row["answer"], "status": row["status"],
            "source_message_id": row["source_message_id"], "updated_at": iso(row["updated_at"])}
