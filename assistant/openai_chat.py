"""ChatOpenAI, with the request's messages and tools sent as LangChain built them, and streams read
to their end so their connection is used again."""
from langchain_openai import ChatOpenAI
from openai._streaming import SSEDecoder
from pydantic import model_validator


class PlainChatOpenAI(ChatOpenAI):
    """Messages and tools go in `extra_body`, which the SDK merges into the JSON body untouched.

    Passed as arguments, the openai SDK walks them on every call against its TypedDict unions
    (`maybe_transform`: about a fifth of the agent's CPU per reply), only to rename keys our
    plain-JSON messages and tool schemas do not have.
    """

    @model_validator(mode="after")
    def _drain_streams(self):
        # The SDK stops reading a stream at `data: [DONE]` and closes it before the chunked body's
        # end has arrived, so httpcore drops the connection: a new TCP (and TLS) handshake per model
        # call (openai-python issue 3440). Only this client's streams are affected.
        if self.root_client is not None:
            self.root_client._make_sse_decoder = DrainingSSEDecoder
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
