"""The outbox sender: a background task in every app process that claims due mails and sends them.

Claims are conditional UPDATEs (db.outbox.claim_due), so two processes never send one row; a row
is marked sent once, after the SMTP server accepted it. A failed send goes back to the queue with
exponential backoff; a claim left by a process that died mid-send is given back after a timeout.
Without SMTP_URL each mail is written as an .eml file (instance/outbox/) and logged.
"""
import logging
import smtplib
import ssl
import threading
import time
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import db
from db import outbox
from havana.runtime import runtime

log = logging.getLogger(__name__)
STALE_CLAIM = timedelta(minutes=5)  # far above SMTP_TIMEOUT: a claim this old belongs to a dead process
STALE_CHECK_SECONDS = 60


def build_message(row, config):
    """The RFC 5322 message of an outbox row: text, HTML, and the invite both inline and attached."""
    msg = EmailMessage()
    msg["From"] = config.MAIL_FROM
    msg["To"] = row["to"]
    msg["Subject"] = row["subject"]
    msg["Date"] = formatdate(localtime=False)
    domain = parseaddr(config.MAIL_FROM)[1].rpartition("@")[2] or None
    msg["Message-ID"] = make_msgid(f"outbox{row['id']}", domain=domain)
    msg.set_content(row["body_text"] or "")
    if row.get("body_html"):
        msg.add_alternative(row["body_html"], subtype="html")
    if row.get("ics"):
        method = "CANCEL" if "METHOD:CANCEL" in row["ics"] else "REQUEST"
        msg.add_attachment(row["ics"].encode(), maintype="text", subtype="calendar", filename="invite.ics",
                           params={"method": method})
    return msg


def deliver(msg, config):
    """Hand the message to the SMTP server (or write it as an .eml file when none is configured)."""
    if not config.SMTP_URL:
        folder = Path(config.MAIL_OUTBOX_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{msg['Message-ID'].strip('<>').split('@')[0]}.eml"
        path.write_bytes(bytes(msg))
        log.info("mail to %s (%s) written to %s (no SMTP_URL set)", msg["To"], msg["Subject"], path)
        return
    url = urlsplit(config.SMTP_URL)
    implicit_tls = url.scheme == "smtps"
    starttls = parse_qs(url.query).get("starttls", ["false"])[0].lower() in ("1", "true", "yes")
    port = url.port or (465 if implicit_tls else 587 if starttls else 25)
    context = ssl.create_default_context()
    if implicit_tls:
        client = smtplib.SMTP_SSL(url.hostname, port, timeout=config.SMTP_TIMEOUT, context=context)
    else:
        client = smtplib.SMTP(url.hostname, port, timeout=config.SMTP_TIMEOUT)
    with client:
        if starttls:
            client.starttls(context=context)
        if url.username:
            client.login(unquote(url.username), unquote(url.password or ""))
        client.send_message(msg)


class Sender:
    """One per process: polls the outbox every MAIL_POLL_SECONDS (and at once when woken)."""

    def __init__(self):
        self._thread = None
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._stale_checked = 0.0

    def start(self):
        from havana.extensions import socketio
        if self._thread is None:
            self._thread = socketio.start_background_task(self._loop)

    def stop(self, timeout=10):
        """Stop polling (a send in progress finishes first)."""
        self._stopping.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None and hasattr(thread, "join"):
            thread.join(timeout)

    def wake(self):
        """Look at the outbox now (a mail was just queued)."""
        self._wake.set()

    def _loop(self):
        while not self._stopping.is_set():
            try:
                self.run_once()
            except db.DatabaseUnavailable:
                log.warning("outbox skipped: database unavailable")
            except Exception:
                log.exception("outbox round failed")
            self._wake.wait(runtime.config.MAIL_POLL_SECONDS)
            self._wake.clear()

    def run_once(self):
        """One round: give back stale claims, queue due reminders, send what is due; returns how many were sent."""
        from havana.actions.mail import queue_reminders
        if time.monotonic() - self._stale_checked > STALE_CHECK_SECONDS:
            self._stale_checked = time.monotonic()
            if outbox.requeue_stale(STALE_CLAIM):
                log.warning("outbox: gave back mails claimed by a stopped process")
        queue_reminders()
        sent = 0
        while not self._stopping.is_set():
            token, rows = outbox.claim_due()
            if not rows:
                return sent
            for row in rows:
                sent += self._send(token, row)

    def _send(self, token, row):
        from havana.actions.mail import compose_answer, still_booked, student_connected
        config = runtime.config
        composed = {}
        try:
            if row["kind"] == "answer":
                if student_connected(row["chat_id"]):
                    outbox.drop(row["id"], token, "the student came back to the chat")
                    return 0
                composed = compose_answer(row)
                if composed is None:
                    outbox.drop(row["id"], token, "no advisor messages to send")
                    return 0
            elif row["kind"] == "reminder" and not still_booked(row):
                outbox.drop(row["id"], token, "the call was cancelled, moved or is past")
                return 0
            deliver(build_message(dict(row, **composed), config), config)
        except db.DatabaseUnavailable:
            raise
        except Exception as exc:
            attempts = row["attempts"]
            retry_at = None
            if attempts < config.MAIL_MAX_ATTEMPTS:
                retry_at = db.utcnow() + timedelta(seconds=config.MAIL_RETRY_SECONDS * 2 ** (attempts - 1))
            log.warning("mail %s to %s not sent (attempt %d): %s", row["id"], row["to"], attempts, exc)
            outbox.mark_failed(row["id"], token, f"{type(exc).__name__}: {exc}", retry_at)
            return 0
        outbox.mark_sent(row["id"], token, **composed)
        return 1
