"""Errors a client may see: each has a protocol code and a human-readable message."""


class ClientError(Exception):
    """A refused request; nothing was changed."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message

    def as_dict(self):
        return {"code": self.code, "message": self.message}


def invalid_payload(message="The request was not understood."):
    return ClientError("invalid_payload", message)


def forbidden(message="You do not have access to this chat."):
    return ClientError("forbidden", message)


def chat_not_found():
    return ClientError("chat_not_found", "This chat does not exist.")


UNAVAILABLE = ("unavailable", "We couldn't save that right now. Please try again in a moment.")
INTERNAL = ("internal", "Something went wrong on our side. Nothing was changed.")
