"""Relay floor: the least a server can do to relay an advisor's message into a chat's room.

A bare python-socketio server on the app's stack (gevent, pywsgi + gevent-websocket, monkey-patched).
Students join a room per chat; advisors join `admins`; `admin_message` is emitted to the chat's room
and to `admins` (where the app sends it too) and acknowledged. No database, no sessions.
"""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import itertools  # noqa: E402
import uuid  # noqa: E402

import socketio  # noqa: E402
from gevent import pywsgi  # noqa: E402
from geventwebsocket.handler import WebSocketHandler  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    args = ap.parse_args()
    sio = socketio.Server(async_mode="gevent", max_http_buffer_size=65536)
    ids = itertools.count(1)

    @sio.on("student_connect")
    def student_connect(sid, data=None):
        chat_id = uuid.uuid4().hex
        sio.enter_room(sid, chat_id)
        return {"ok": True, "chat": {"id": chat_id}, "token": "floor"}

    @sio.on("admin_connect")
    def admin_connect(sid, data=None):
        sio.enter_room(sid, "admins")
        return {"ok": True}

    @sio.on("admin_message")
    def admin_message(sid, data):
        message = {"id": next(ids), "chat_id": data["chat_id"], "role": "human_operator",
                   "message": data["message"], "client_id": data.get("client_id"), "author": "admin"}
        sio.emit("new_message", message, to=data["chat_id"])
        sio.emit("new_message", message, to="admins")
        return {"ok": True, "message": message}

    pywsgi.WSGIServer(("127.0.0.1", args.port), socketio.WSGIApp(sio), handler_class=WebSocketHandler,
                      log=None).serve_forever()


if __name__ == "__main__":
    main()
