"""Checks every action shares: the chat exists, the text is a message."""
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
    if not text:
        raise ClientError("message_empty", "Please write a message first.")
    limit = runtime.config.MAX_MESSAGE_LENGTH
    if len(text) > limit:
        raise ClientError("message_too_long", f"Messages can be at most {limit} characters.")
    return text
