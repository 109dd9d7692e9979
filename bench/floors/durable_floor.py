"""Durable AI-path floor: the AI floor (ai_floor.py) plus the two writes the product cannot skip.

Exactly bench/floors/ai_floor.py (a bare python-socketio server on gevent, one shared HTTP client to
the fake model), plus persistence: the student's message and the AI's reply are each stored by ONE
`INSERT` into `chat_history`, in a transaction of its own, committed before that message's
`new_message` is emitted. The writes go through the app's database layer, `db.build_engine()`:
the same pool, driver (pure-Python mysql-connector) and timeouts as the app's engine.
`student_connect` inserts the `chats` row the messages' foreign key needs (not part of the cost of
a reply). Nothing else: no agent, no session, no locks, no chat status, no read-back.

The database must already have the app's schema: bench/common.py's start_floor runs the app's
migrations (run_migrations.py) on it before starting this.
"""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import sys  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

try:  # the HTTP client the OpenAI SDK uses here (httpx2, else httpx)
    import httpx2 as httpx  # noqa: E402
except ImportError:
    import httpx  # noqa: E402
import socketio  # noqa: E402
from gevent import pywsgi  # noqa: E402
from geventwebsocket.handler import WebSocketHandler  # noqa: E402
from sqlalchemy import insert  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository: its db package
import db  # noqa: E402
from db.schema import ROLE_AI, ROLE_STUDENT, STATUS_AI, chat_history, chats  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--model", required=True, help="the fake model's base URL, ending in /v1")
    ap.add_argument("--database-url", required=True, help="a database the app's migrations have run on")
    args = ap.parse_args()
    sio = socketio.Server(async_mode="gevent", max_http_buffer_size=65536)
    http = httpx.Client(base_url=args.model, timeout=30, headers={"Authorization": "Bearer floor"},
                        limits=httpx.Limits(max_connections=1000, max_keepalive_connections=100))
    engine = db.build_engine(args.database_url)  # the app's defaults (havana/config.py's DB_*)

    def store(chat_id, role, text, client_id=None):
        """One INSERT, committed; the stored message as the app emits it."""
        now = db.utcnow()
        with engine.begin() as conn:
            result = conn.execute(insert(chat_history).values(chat_id=chat_id, role=role, message=text,
                                                              client_id=client_id, created_at=now))
        return {"id": result.inserted_primary_key[0], "chat_id": chat_id, "role": role, "message": text,
                "client_id": client_id}

    @sio.on("student_connect")
    def student_connect(sid, data=None):
        chat_id, now = uuid.uuid4().hex, db.utcnow()
        with engine.begin() as conn:
            conn.execute(insert(chats).values(id=chat_id, token_hash=uuid.uuid4().hex + uuid.uuid4().hex,
                                              status=STATUS_AI, created_at=now, updated_at=now,
                                              last_message_at=now))
        sio.enter_room(sid, chat_id)
        return {"ok": True, "chat": {"id": chat_id}, "token": "floor"}

    def answer(chat_id, text):
        body = http.post("/chat/completions", json={"model": "gpt-4o", "messages": [
            {"role": "user", "content": text}]}).json()
        sio.emit("new_message", store(chat_id, ROLE_AI, body["choices"][0]["message"]["content"]), to=chat_id)

    @sio.on("student_message")
    def student_message(sid, data):
        message = store(data["chat_id"], ROLE_STUDENT, data["message"], data.get("client_id"))
        sio.emit("new_message", message, to=data["chat_id"])
        sio.start_background_task(answer, data["chat_id"], data["message"])
        return {"ok": True, "message": message}

    pywsgi.WSGIServer(("127.0.0.1", args.port), socketio.WSGIApp(sio), handler_class=WebSocketHandler,
                      log=None).serve_forever()


if __name__ == "__main__":
    main()
