"""Shapes of client -> server payloads. Strict: a wrong type is refused, not coerced."""
import re
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from havana.errors import invalid_payload
from havana.protocol import CHAT_STATUSES


class Payload(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")


Language = Literal["en", "es"]


class StudentConnect(Payload):
    chat_id: Optional[str] = Field(None, min_length=1, max_length=32)
    token: Optional[str] = Field(None, max_length=128)
    last_message_id: Optional[int] = Field(None, ge=0)
    language: Optional[Language] = None  # the page's: a new chat starts in it


class SetLanguage(Payload):
    chat_id: str = Field(min_length=1, max_length=32)
    language: Language


class StudentMessage(Payload):
    chat_id: str = Field(min_length=1, max_length=32)
    # Length is checked by the service, which knows the configured limit and says so.
    message: str
    client_id: Optional[str] = Field(None, min_length=1, max_length=64)


class StudentTyping(Payload):
    chat_id: str = Field(min_length=1, max_length=32)
    typing: bool


class SaveContact(Payload):
    chat_id: str = Field(min_length=1, max_length=32)
    # Lengths and forms are checked by havana/contact.py, which answers in the chat's language.
    name: str = Field(max_length=500)
    email: str = Field(max_length=500)
    phone: Optional[str] = Field(None, max_length=64)
    method: Optional[Literal["phone", "whatsapp", "video"]] = None
    timezone: Optional[str] = Field(None, max_length=64)


class RateChat(Payload):
    chat_id: str = Field(min_length=1, max_length=32)
    rating: int = Field(ge=1, le=5)
    comment: Optional[str] = Field(None, max_length=1000)


class AdminConnect(Payload):
    chat_id: Optional[str] = Field(None, min_length=1, max_length=32)


class ChatRef(Payload):
    chat_id: str = Field(min_length=1, max_length=32)


class AdminMessage(ChatRef):
    message: str
    client_id: Optional[str] = Field(None, min_length=1, max_length=64)


class ToggleHuman(ChatRef):
    enabled: bool


class AdminTyping(ChatRef):
    typing: bool


class Availability(Payload):
    available: bool


# -- REST bodies and query strings (/api) ------------------------------------------------

class ChatListQuery(Payload):
    status: Optional[Literal[CHAT_STATUSES]] = None
    escalated: Optional[bool] = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10**9)


class AnalyticsQuery(Payload):
    days: int = Field(14, ge=1, le=365)


class AnswersQuery(Payload):
    status: Optional[Literal["pending", "approved"]] = None


class ModelChoice(Payload):
    model: str = Field(min_length=1, max_length=32)


class NewAnswer(Payload):
    question: str
    answer: str
    source_message_id: Optional[int] = Field(None, ge=1)


class AnswerReview(Payload):
    question: Optional[str] = None
    answer: Optional[str] = None
    status: Optional[Literal["pending", "approved"]] = None


class Canned(Payload):
    shortcut: str = Field(max_length=64)
    text: str


class DisplayName(Payload):
    # Blank or null goes back to the neutral "Admissions advisor".
    display_name: Optional[str] = Field(None, max_length=80)


class SlotIds(Payload):
    slot_ids: list[int] = Field(min_length=1, max_length=200)


class CallOutcome(Payload):
    outcome: Literal["attended", "no_show"]


class BookingsQuery(Payload):
    mine: bool = False


def parse_query(model, args):
    """Validate a query string (every value is text; "true"/"1" are booleans); same errors as parse()."""
    data = {key: value for key, value in args.items() if value != ""}
    try:
        return model.model_validate_strings(data)
    except ValidationError as exc:
        raise _refused(exc) from None


def parse(model, data):
    """Validate a socket payload; raises ClientError('invalid_payload') naming the bad field."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise invalid_payload("The payload must be a JSON object.")
    if _has_lone_surrogate(data):
        raise invalid_payload("The text is not valid Unicode (a lone surrogate).")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _refused(exc) from None


def _refused(exc):
    first = exc.errors(include_url=False)[0]
    field = ".".join(str(x) for x in first["loc"]) or "payload"
    return invalid_payload(f"Invalid field '{field}': {first['msg']}.")


# JSON may escape half of a UTF-16 pair ("\\ud800"); no database or page can store or show it.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_lone_surrogate(data):
    pending = [data]  # a loop, not recursion: the payload may be nested as deep as the decoder allows
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False
