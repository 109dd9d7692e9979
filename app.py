"""Havana Chat: the application factory, and `python app.py` to serve it.

`python app.py` serves on PORT (default 3000) with gevent; see README.md.
"""
if __name__ == "__main__":
    # Before anything imports socket/ssl/threading: every blocking call must yield to gevent.
    from gevent import monkey

    monkey.patch_all()

import logging
import secrets
from pathlib import Path

from flask import Flask, jsonify

import db
from chatbot import Chatbot
from db.migrate import top_up_slots, upgrade
from havana.config import ROOT, Config
from havana.extensions import socketio
from havana.services import Services


def create_app(config=None):
    """Build the app: database, agent, Socket.IO and the blueprints."""
    config = config or Config()
    app = Flask(__name__, instance_path=str(ROOT / "instance"))
    app.config.update(
        SECRET_KEY=config.SECRET_KEY or _dev_secret_key(app, config),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.is_production,
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    db.init_engine(config)
    if config.AUTO_MIGRATE:
        upgrade()
        top_up_slots(config)
    app.extensions["havana"] = Services(config, Chatbot(config))

    socketio.init_app(
        app,
        async_mode=config.ASYNC_MODE,
        max_http_buffer_size=config.MAX_HTTP_BUFFER_SIZE,
        cors_allowed_origins=config.ALLOWED_ORIGINS or None,
        message_queue=config.SOCKETIO_MESSAGE_QUEUE,
    )

    from havana.student import bp as student_bp

    app.register_blueprint(student_bp)

    @app.get("/healthz")
    def healthz():
        return jsonify(ok=True)

    return app


def _dev_secret_key(app, config):
    """Production needs SECRET_KEY; development keeps a generated one under instance/."""
    if config.is_production:
        raise RuntimeError("SECRET_KEY must be set in production")
    path = Path(app.instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()


def main():
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = Config()
    app = create_app(config)
    print(f" * Havana Chat on http://{config.HOST}:{config.PORT}  "
          f"(database: {db.get_engine().url.get_backend_name()}, "
          f"assistant: {app.extensions['havana'].active_model()})", flush=True)
    # gevent's WSGI server: no debug reloader, no Werkzeug development server.
    socketio.run(app, host=config.HOST, port=config.PORT, debug=False, use_reloader=False,
                 log_output=config.ACCESS_LOG)


if __name__ == "__main__":
    main()
