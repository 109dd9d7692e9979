"""Socket.IO event names, rooms and payload shapes, written down once (docs/protocol.md)."""
import json

from assistant.when import slot_label

# client -> server
STUDENT_CONNECT = "student_connect"
STUDENT_MESSAGE = "student_message"
ADMIN_CONNECT = "admin_connect"
ADMIN_MESSAGE = "admin_message"
ADMIN_DISCONNECT_FROM_CHAT = "admin_disconnect_from_chat"
TOGGLE_HUMAN_ENABLED = "toggle_human_enabled"

# server -> client
NEW_MESSAGE = "new_message"
CHAT_CREATED = "chat_created"
STUDENT_CONNECTED = "student_connected"
TYPING = "typing"
ESCALATION_TRIGGERED = "escalation_triggered"
HUMAN_ENABLED_CHANGED = "human_enabled_changed"
BOOKING_CONFIRMED = "booking_confirmed"
BOOKING_CANCELLED = "booking_cancelled"
ADMIN_STATUS_CHANGED = "admin_status_changed"
MODEL_CHANGED = "model_changed"
MESSAGE_DELTA = "message_delta"
BRIEF_READY = "brief_ready"
QUEUE_STATUS = "queue_status"
AVAILABILITY_CHANGED = "availability_changed"
CANNED_CHANGED = "canned_changed"
KNOWLEDGE_CHANGED = "knowledge_changed"
CHAT_CLOSED = "chat_closed"
CHAT_REOPENED = "chat_reopened"
CHAT_RATED = "chat_rated"

# client -> server (the desk's second round)
STUDENT_TYPING = "student_typing"
RATE_CHAT = "rate_chat"
ADMIN_TYPING = "admin_typing"
SET_AVAILABILITY = "set_availability"
CLOSE_CHAT = "close_chat"
REOPEN_CHAT = "reopen_chat"
ERROR = "error"

ADMINS_ROOM = "admins"


def chat_room(chat_id):
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


def message_payload(row):
    return {
        "id": row["id"], "chat_id": row["chat_id"], "role": row["role"], "message": row["message"],
        "model": (row.get("model") or "").partition(":")[0] or None, "model_label": model_label(row.get("model")),
        "created_at": iso(row["created_at"]), "client_id": row.get("client_id"),
        **({"author": row["author"]} if row.get("author") else {}),
    }


def booking_payload(slot):
    if not slot:
        return None
    return {"id": slot["id"], "date": slot["date"].isoformat(), "time": slot["time"].strftime("%H:%M"),
            "label": slot_label(slot["date"], slot["time"])}


def chat_payload(chat, booking=None, advisors_online=0):
    return {
        "id": chat["id"], "status": chat["status"], "is_human_enabled": bool(chat["is_human_enabled"]),
        "escalation_reason": chat["escalation_reason"], "advisors_online": advisors_online,
        "created_at": iso(chat["created_at"]), "last_message_at": iso(chat["last_message_at"]),
        "booking": booking_payload(booking),
        "closed_at": iso(chat.get("closed_at")), "rating": chat.get("rating"),
    }


def admin_chat_payload(chat, booking, viewers):
    """A chat as the dashboard lists it."""
    last = chat.get("last_message")
    return {**chat_payload(chat, booking, len(viewers)), "viewers": viewers, "unread": int(chat.get("unread") or 0),
            "escalated_at": iso(chat.get("escalated_at")), "brief": json_or_none(chat.get("brief")),
            "rating_comment": chat.get("rating_comment"),
            "last_message": message_payload(last) if last else None}


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
