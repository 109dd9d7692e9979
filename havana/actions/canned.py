"""Canned responses: the advisors' shortcuts (`/hours`) for answers they write often."""
from sqlalchemy.exc import IntegrityError

import db
from db import knowledge as knowledge_db
from havana import broadcast, protocol as p
from havana.actions.checks import clean_text
from havana.errors import ClientError


def canned_responses():
    return [p.canned_payload(c) for c in knowledge_db.list_canned()]


def save_canned(shortcut, text, canned_id=None):
    """Create (no id) or edit a canned response; every advisor's page is told."""
    shortcut = shortcut.strip().lstrip("/").lower()
    if not shortcut or len(shortcut) > 32 or not shortcut.replace("-", "").replace("_", "").isalnum():
        raise ClientError("invalid_payload", "A shortcut is 1-32 letters, digits, - or _.")
    text = clean_text(text)
    try:
        with db.transaction():
            row = knowledge_db.save_canned(shortcut, text, canned_id)
            if row is None:
                raise ClientError("not_found", "No such canned response.")
            broadcast.canned_changed(canned_responses())
    except IntegrityError:
        raise ClientError("duplicate", f"The shortcut /{shortcut} exists already.") from None
    return p.canned_payload(row)


def delete_canned(canned_id):
    with db.transaction():
        if not knowledge_db.delete_canned(canned_id):
            raise ClientError("not_found", "No such canned response.")
        broadcast.canned_changed(canned_responses())
