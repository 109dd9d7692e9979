"""Socket.IO event names, rooms and payload shapes, written down once (docs/protocol.md)."""
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
ERROR = "error"

ADMINS_ROOM = "admins"


def chat_room(chat_id):
    return f"chat:{chat_id}"


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
    }


def admin_chat_payload(chat, booking, viewers):
    """A chat as the dashboard lists it."""
    last = chat.get("last_message")
    return {**chat_payload(chat, booking, len(viewers)), "viewers": viewers, "unread": int(chat.get("unread") or 0),
            "escalated_at": iso(chat.get("escalated_at")),
            "last_message": message_payload(last) if last else None}
