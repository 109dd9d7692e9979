"""Connection floor: a bare Flask-SocketIO app holding idle connections, on the app's exact settings.

Same async mode (gevent, monkey-patched, pywsgi + gevent-websocket through socketio.run), same
max_http_buffer_size and same-origin CORS as create_app(), and a Flask session per connection as
Flask-SocketIO keeps by default. Nothing else: the memory per connection no app can go below.
"""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402

from flask import Flask  # noqa: E402
from flask_socketio import SocketIO  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    args = ap.parse_args()
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "floor"
    socketio = SocketIO(app, async_mode="gevent", max_http_buffer_size=65536, cors_allowed_origins=None)

    @socketio.on("connect")
    def on_connect(auth=None):
        return True

    socketio.run(app, host="127.0.0.1", port=args.port, debug=False, use_reloader=False, log_output=False)


if __name__ == "__main__":
    main()
