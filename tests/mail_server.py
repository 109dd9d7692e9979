"""A real SMTP server for the mail tests (aiosmtpd on a free port), keeping what it accepts."""
import email
from email import policy

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from conftest import free_port


class Inbox:
    """aiosmtpd handler: accepts (or, with refuse set, refuses) every message and keeps the parsed ones."""

    def __init__(self):
        self.messages = []
        self.refuse = None  # e.g. "451 4.3.0 try again later"
        self.attempts = 0

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        if self.refuse:
            return self.refuse
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def to(self, address):
        return [m for m in self.messages if m["To"] == address]


class SmtpServer:
    def __init__(self, port=None, login=None):
        """login=(user, password): the server asks for AUTH and accepts only these."""
        self.inbox = Inbox()
        self.port = port or free_port()
        self.controller = None
        self.login = login
        self.logins = []

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def start(self):
        extra = {}
        if self.login:
            extra = dict(authenticator=self._authenticate, auth_required=True, auth_require_tls=False)
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, **extra)
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword):
            given = (auth_data.login.decode(), auth_data.password.decode())
            self.logins.append(given)
            return AuthResult(success=given == self.login)
        return AuthResult(success=False)
