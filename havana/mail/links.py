"""Signed, expiring links in mails: manage a booked call, reopen a chat in any browser."""
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from havana.runtime import runtime

MANAGE = "havana-manage-call"
REOPEN = "havana-reopen-chat"


class LinkRefused(Exception):
    """The link is tampered with, for another purpose, or expired (`expired` says which)."""

    def __init__(self, expired=False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _signer(purpose):
    return URLSafeTimedSerializer(runtime.secret_key, salt=purpose)


def sign(purpose, chat_id):
    return _signer(purpose).dumps(chat_id)


def chat_of(purpose, token):
    """The chat id the token was signed for; raises LinkRefused."""
    try:
        chat_id = _signer(purpose).loads(token, max_age=runtime.config.MANAGE_LINK_DAYS * 86400)
    except SignatureExpired:
        raise LinkRefused(expired=True) from None
    except BadSignature:
        raise LinkRefused() from None
    if not isinstance(chat_id, str):
        raise LinkRefused()
    return chat_id


def manage_url(chat_id):
    return f"{runtime.config.PUBLIC_URL}/call/{sign(MANAGE, chat_id)}"


def reopen_url(chat_id):
    return f"{runtime.config.PUBLIC_URL}/chat/reopen/{sign(REOPEN, chat_id)}"
