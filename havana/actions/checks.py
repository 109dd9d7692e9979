"""Checks every action shares: the chat exists, the text is a message."""
import unicodedata

from db import chats as chat_db
from havana.errors import ClientError, chat_not_found
from havana.runtime import runtime


def locked_chat(chat_id):
    """The chat, locked for the rest of the transaction; raises ClientError('chat_not_found')."""
    chat = chat_db.lock_chat(chat_id)
    if chat is None:
        raise chat_not_found()
    return chat


def existing_chat(chat_id):
    chat = chat_db.get_chat(chat_id)
    if chat is None:
        raise chat_not_found()
    return chat


def clean_text(text):
    """The message without NULs and outer blanks; raises ClientError when empty or too long."""
    if not isinstance(text, str):
        raise ClientError("invalid_payload", "The message must be text.")
    text = text.replace("\x00", "").strip()
    if not any(_visible(c) for c in text):
        raise ClientError("message_empty", "Please write a message first.")
    limit = runtime.config.MAX_MESSAGE_LENGTH
    if len(text) > limit:
        raise ClientError("message_too_long", f"Messages can be at most {limit} characters.")
    return text


# Letters that render as blank space (Hangul fillers, the braille blank) though Unicode calls them letters.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _visible(char):
    """Not a control, format (zero-width), separator or lone combining mark, nor a blank letter."""
    return unicodedata.category(char)[0] not in "CZM" and char not in BLANK_LETTERS
