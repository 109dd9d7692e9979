"""Shapes of client -> server payloads. Strict: a wrong type is refused, not coerced."""
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from havana.errors import invalid_payload


class Payload(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")


class StudentConnect(Payload):
    chat_id: Optional[str] = Field(None, min_length=1, max_length=32)
    token: Optional[str] = Field(None, max_length=128)
    last_message_id: Optional[int] = Field(None, ge=0)


class StudentMessage(Payload):
    chat_id: str = Field(min_length=1, max_length=32)
    # Length is checked by the service, which knows the configured limit and says so.
    message: str
    client_id: Optional[str] = Field(None, min_length=1, max_length=64)


class StudentTyping(Payload):
    chat_id: str = Field(min_length=1, max_length=32)
    typing: bool


class RateChat(Payload):
    chat_id: str = Field(min_length=1, max_length=32)
    rating: int = Field(ge=1, le=5)
    comment: Optional[str] = Field(None, max_length=1000)


def parse(model, data):
    """Validate a socket payload; raises ClientError('invalid_payload') naming the bad field."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise invalid_payload("The payload must be a JSON object.")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = ".".join(str(x) for x in first["loc"]) or "payload"
        raise invalid_payload(f"Invalid field '{field}': {first['msg']}.") from None
