"""ChatOpenAI, with the request's messages and tools sent as LangChain built them."""
from langchain_openai import ChatOpenAI


class PlainChatOpenAI(ChatOpenAI):
    """Messages and tools go in `extra_body`, which the SDK merges into the JSON body untouched.

    Passed as arguments, the openai SDK walks them on every call against its TypedDict unions
    (`maybe_transform`: about a fifth of the agent's CPU per reply), only to rename keys our
    plain-JSON messages and tool schemas do not have.
    """

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
