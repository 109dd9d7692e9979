"""AI-path floor: the least a server can do for one student message answered by the model.

A bare python-socketio server on the app's stack (gevent, pywsgi + gevent-websocket, monkey-patched)
that echoes `student_message` as `new_message`, makes one call to the fake model over one shared HTTP
client (the OpenAI SDK's own: httpx2, or httpx), and emits the reply. No database, no agent framework.
"""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import itertools  # noqa: E402
import uuid  # noqa: E402

try:  # the HTTP client the OpenAI SDK uses here (httpx2, else httpx)
    import httpx2 as httpx  # noqa: E402
except ImportError:
    import httpx  # noqa: E402
import socketio  # noqa: E402
from gevent import pywsgi  # noqa: E402
from geventwebsocket.handler import WebSocketHandler  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--model", required=True, help="the fake model's base URL, ending in /v1")
    args = ap.parse_args()
    sio = socketio.Server(async_mode="gevent", max_http_buffer_size=65536)
    http = httpx.Client(base_url=args.model, timeout=30, headers={"Authorization": "Bearer floor"},
                        limits=httpx.Limits(max_connections=1000, max_keepalive_connections=100))
    ids = itertools.count(1)

    @sio.on("student_connect")
    def student_connect(sid, data=None):
        chat_id = uuid.uuid4().hex
        sio.enter_room(sid, chat_id)
        return {"ok": True, "chat": {"id": chat_id}, "token": "floor"}

    def answer(chat_id, text):
        body = http.post("/chat/completions", json={"model": "gpt-4o", "messages": [
            {"role": "user", "content": text}]}).json()
        sio.emit("new_message", {"id": next(ids), "chat_id": chat_id, "role": "ai",
                                 "message": body["choices"][0]["message"]["content"]}, to=chat_id)

    @sio.on("student_message")
    def student_message(sid, data):
        message = {"id": next(ids), "chat_id": data["chat_id"], "role": "human", "message": data["message"],
                   "client_id": data.get("client_id")}
        sio.emit("new_message", message, to=data["chat_id"])
        sio.start_background_task(answer, data["chat_id"], data["message"])
        return {"ok": True, "message": message}

    pywsgi.WSGIServer(("127.0.0.1", args.port), socketio.WSGIApp(sio), handler_class=WebSocketHandler,
                      log=None).serve_forever()


if __name__ == "__main__":
    main()
