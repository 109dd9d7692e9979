"""The default mode: `python app.py` in a subprocess, students talking to it over Socket.IO."""
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests
import socketio

import db
from db import bookings as booking_db, chats as chat_db
from db.migrate import upgrade
from havana.config import Config

from .golden import ROOT
from .score import TurnResult
from .slots import SLOT_DAYS, SLOT_TIMES, TIMEZONE, seed_database

HANDED_OVER = ("waiting_human", "human")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveRunner:
    """One server per knowledge base on a fresh SQLite database with the evaluation's slots."""

    def __init__(self, kb_path, timeout=30, log_dir=None):
        self.timeout = timeout
        self.tmp = tempfile.TemporaryDirectory(prefix="havana-eval-")
        folder = Path(self.tmp.name)
        self.database_url = f"sqlite:///{folder / 'eval.sqlite3'}"
        # Created and seeded here (not by the server's AUTO_MIGRATE) so the slots are weekdays only.
        db.init_engine(Config(DATABASE_URL=self.database_url))
        upgrade()
        seed_database()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {key: value for key, value in os.environ.items()
               if key not in ("OPENAI_API_KEY", "GOOGLE_API_KEY", "REDIS_URL", "SOCKETIO_MESSAGE_QUEUE")}
        env.update(PORT=str(self.port), HOST="127.0.0.1", DATABASE_URL=self.database_url, AUTO_MIGRATE="0",
                   KNOWLEDGE_BASE_PATH=str(kb_path), SECRET_KEY="eval-" + uuid.uuid4().hex,
                   HAVANA_ENV="development", PYTHONUNBUFFERED="1", TIMEZONE=TIMEZONE, SLOT_DAYS=str(SLOT_DAYS),
                   SLOT_TIMES=",".join(SLOT_TIMES), ACCESS_LOG="0",
                   # Every simulated student comes from 127.0.0.1: lift the per-address limits.
                   RATE_MESSAGES_PER_ADDRESS="100000/minute", RATE_CHATS_PER_ADDRESS="100000/hour",
                   RATE_MESSAGES_PER_CHAT="1000/minute", MAX_BOOKINGS_PER_ADDRESS="100000")
        self.log_path = Path(log_dir or folder) / f"server-{self.port}.log"
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        problem = self._wait_healthy()
        if problem:
            log = self.log_path.read_text(errors="replace")[-3000:]
            self.close()
            raise RuntimeError(f"{problem} (knowledge base {kb_path}); its output:\n{log}")

    def _wait_healthy(self, timeout=60):
        """None once /healthz answers, else what went wrong."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return "the server exited at start"
            try:
                if requests.get(self.url + "/healthz", timeout=1).ok:
                    return None
            except requests.RequestException:
                pass
            time.sleep(0.1)
        return f"the server did not answer /healthz within {timeout}s"

    def close(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        db.get_engine().dispose()
        self.tmp.cleanup()

    def play(self, conversation):
        student = Student(self.url, self.timeout)
        try:
            return [student.say(turn["student"]) for turn in conversation.turns]
        finally:
            student.close()
            # Every conversation starts with every slot free, as in --direct, whatever ran before it.
            if student.chat_id:
                booking_db.release_chat_booking(student.chat_id)


class Student:
    """A python-socketio client that opens a chat and talks like the student page (docs/protocol.md)."""

    def __init__(self, url, timeout):
        self.timeout = timeout
        self.events = []
        self.lock = threading.Lock()
        self.client = socketio.Client(reconnection=False)
        self.client.on("*", self._record)
        self.client.connect(url, transports=["websocket"], wait_timeout=10)
        ack = self.client.call("student_connect", {}, timeout=timeout)
        if not isinstance(ack, dict) or ack.get("ok") is False:
            raise RuntimeError(f"student_connect refused: {ack}")
        chat = ack.get("chat") or {}
        self.chat_id = chat.get("id") or ack.get("chat_id")
        self.status = _status(chat) or "ai"

    def _record(self, event, data=None):
        with self.lock:
            self.events.append((event, data))

    def close(self):
        self.client.disconnect()

    def say(self, text):
        """Send one message and wait for the assistant's reply to it; what happened in between."""
        with self.lock:
            start = len(self.events)
        status_before = self.status
        started = time.perf_counter()
        ack = self.client.call("student_message", {"chat_id": self.chat_id, "message": text,
                                                   "client_id": "eval-" + uuid.uuid4().hex[:12]},
                               timeout=self.timeout)
        if not isinstance(ack, dict) or not ack.get("ok"):
            raise RuntimeError(f"student_message refused: {ack}")
        sent_id = ack["message"]["id"]
        reply, timed_out, seconds = None, True, 0.0
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            with self.lock:
                turn = self.events[start:]
            reply = next((m for m in _messages(turn, self.chat_id)
                          if m.get("id", 0) > sent_id and m.get("role") in ("ai", "human_operator")), None)
            if reply is not None:
                seconds, timed_out = time.perf_counter() - started, False
                break
            time.sleep(0.01)
        with self.lock:
            turn = self.events[start:]
        for event, data in turn:
            if isinstance(data, dict) and data.get("chat_id") == self.chat_id and _status(data):
                self.status = _status(data)
        escalated = status_before not in HANDED_OVER and (
            self.status in HANDED_OVER or any(e == "escalation_triggered" for e, _ in turn))
        notices = [m.get("message", "") for m in _messages(turn, self.chat_id)
                   if m.get("id", 0) > sent_id and m.get("role") == "system"]
        return TurnResult(
            student=text, reply=(reply or {}).get("message", ""), seconds=seconds, timed_out=timed_out,
            escalated=escalated, already_escalated=status_before in HANDED_OVER,
            reason=self._reason() if escalated or status_before in HANDED_OVER else "",
            booked=any(e in ("booking_confirmed", "booking_held") for e, d in turn if _ours(d, self.chat_id)),
            cancelled=any(e == "booking_cancelled" for e, d in turn if _ours(d, self.chat_id)),
            context=notices)

    def _reason(self):
        """The escalation reason is for the desk only: read it from the server's database."""
        chat = chat_db.get_chat(self.chat_id)
        return (chat or {}).get("escalation_reason") or ""


def _ours(data, chat_id):
    return isinstance(data, dict) and data.get("chat_id") == chat_id


def _status(data):
    """The chat status an event carries: `status`, or the older `is_human_enabled` flag."""
    if not isinstance(data, dict):
        return None
    if data.get("status"):
        return data["status"]
    if data.get("is_human_enabled") is True:
        return "human"
    return None


def _messages(events, chat_id):
    return [data for event, data in events if event == "new_message" and _ours(data, chat_id)]
