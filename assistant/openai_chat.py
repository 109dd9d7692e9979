"""ChatOpenAI without three per-call costs of the openai SDK that our requests do not need."""
import openai
from langchain_openai import ChatOpenAI
from openai._streaming import SSEDecoder
from openai.types.chat import ChatCompletionChunk
from pydantic import model_validator


class PlainChatOpenAI(ChatOpenAI):
    """Messages and tools go in `extra_body`, which the SDK merges into the JSON body untouched.

    Passed as arguments, the openai SDK walks them on every call against its TypedDict unions
    (`maybe_transform`: about a fifth of the agent's CPU per reply), only to rename keys our
    plain-JSON messages and tool schemas do not have.
    """

    @model_validator(mode="after")
    def _lean_client(self):
        if self.root_client is not None:
            self.root_client.__class__ = LeanOpenAI  # the same client and connections, two methods changed
        return self

    def _get_request_payload(self, input_, *, stop=None, **kwargs):
        payload = super()._get_request_payload(input_, stop=stop, **kwargs)
        if "messages" not in payload:  # the Responses API builds its own shape: leave it alone
            return payload
        extra = dict(payload.get("extra_body") or {})
        extra["messages"], payload["messages"] = payload["messages"], []  # `messages` is a required argument
        if "tools" in payload:
            extra["tools"] = payload.pop("tools")
        payload["extra_body"] = extra
        return payload


class LeanOpenAI(openai.OpenAI):
    """The SDK's client, reading chat-completion streams more cheaply."""

    def _make_sse_decoder(self):
        # The SDK stops reading a stream at `data: [DONE]` and closes it before the chunked body's
        # end has arrived, so httpcore drops the connection: a new TCP (and TLS) handshake per model
        # call (openai-python issue 3440).
        return DrainingSSEDecoder()

    def _process_response_data(self, *, data, cast_to, response):
        # LangChain turns every streamed chunk straight back into a dict (and reads dicts as they are):
        # building the pydantic model first costs more than the rest of a token's way to the student.
        if cast_to is ChatCompletionChunk and isinstance(data, dict):
            return data
        return super()._process_response_data(data=data, cast_to=cast_to, response=response)


class DrainingSSEDecoder(SSEDecoder):
    """Reads the rest of the body (the chunked terminator) before handing on `[DONE]`."""

    def iter_bytes(self, iterator):
        for event in super().iter_bytes(iterator):
            if event.data.startswith("[DONE]"):
                try:
                    for _ in iterator:
                        pass
                except Exception:  # the answer is complete: a connection that cannot be drained is closed
                    pass
            yield event
