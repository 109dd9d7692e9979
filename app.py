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

import click
from flask import Flask, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

import db
from chatbot import Chatbot
from db.migrate import top_up_slots, upgrade
from havana.config import ROOT, Config
from db import admins as admin_db
from havana import i18n
from havana.i18n import N_
from havana.auth import accounts
from havana.errors import UNAVAILABLE
from havana import advisor_sockets, connections, metrics, ratelimits
from havana.extensions import csrf, limiter, login_manager, socketio
from havana.actions.models import active_model
from havana.runtime import runtime


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
    if config.ASYNC_MODE == "gevent":
        from havana import serving  # the gevent server's limits (python app.py and gunicorn alike)
        serving.configure(config)
    db.init_engine(config)
    if config.AUTO_MIGRATE:
        upgrade()
        top_up_slots(config)
    runtime.init_app(config, metrics.MeasuredAgent(Chatbot(config)))
    app.config["RATELIMIT_STORAGE_URI"] = config.REDIS_URL or ratelimits.MEMORY_STORAGE
    app.config["RATELIMIT_HEADERS_ENABLED"] = True
    i18n.init_app(app)
    login_manager.init_app(app)
    accounts.init_app(app, config)
    login_manager.login_view = "auth.login"
    csrf.init_app(app)
    limiter.init_app(app)

    # Imported before init_app: handlers registered on the SocketIO object (not on one server)
    # are attached to every app built in this process, as tests build several.
    from havana.admin import api as api_bp, bp as admin_bp
    from havana.auth import bp as auth_bp
    from havana.student import bp as student_bp
    from havana.mail.routes import bp as mail_bp
    from havana.sockets import SocketSessionInterface

    app.session_interface = SocketSessionInterface()
    socketio.init_app(
        app,
        async_mode=config.ASYNC_MODE,
        max_http_buffer_size=config.MAX_HTTP_BUFFER_SIZE,
        cors_allowed_origins=config.ALLOWED_ORIGINS or None,
        message_queue=config.SOCKETIO_MESSAGE_QUEUE,
        channel=config.SOCKETIO_CHANNEL,
    )
    from havana.admin.rest import IdConverter
    app.url_map.converters["id"] = IdConverter
    connections.init_app(socketio.server, config)
    advisor_sockets.init_app(app, config)
    metrics.init_app(app, config)
    csrf.exempt(api_bp)  # the API checks its token itself, after sign-in
    for blueprint in (student_bp, auth_bp, admin_bp, api_bp, mail_bp):
        app.register_blueprint(blueprint)
    _register_error_pages(app)
    _add_security_headers(app, config)
    if config.TRUSTED_PROXIES:
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=config.TRUSTED_PROXIES, x_proto=config.TRUSTED_PROXIES,
                                x_host=config.TRUSTED_PROXIES)
    _start_mail_sender(app)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(display_name_command)

    @app.get("/healthz")
    def healthz():
        return jsonify(ok=True)

    if config.ASYNC_MODE == "gevent":
        serving.real_poll_for_idle_http_connections()
        serving.settle_heap()  # the app is built: what exists now lives as long as the process
    return app


def _start_mail_sender(app):
    """Every app process sends the outbox (havana.mail.sender); a test's next app replaces the last one's."""
    from havana.mail.sender import Sender
    runtime.secret_key = app.config["SECRET_KEY"]
    if runtime.mail is not None:
        runtime.mail.stop()
    runtime.mail = Sender()
    runtime.mail.start()


CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "connect-src 'self'", "font-src 'self'", "object-src 'none'", "base-uri 'self'",
    "form-action 'self'", "frame-ancestors 'none'",
])


# Pages and answers that carry chats, accounts or CSRF tokens: never kept by a browser or a proxy.
PRIVATE_PATHS = ("/admin", "/api/", "/login", "/chats/", "/call/", "/chat/reopen/")


def _add_security_headers(app, config):
    @app.after_request
    def headers(response):
        if request.path.startswith(PRIVATE_PATHS):
            response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if config.is_production:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


def _wants_json():
    return request.path.startswith("/api/")


# status: (JSON code, JSON message, page title, page message, page status)
# The page's title and message are msgids, shown in the page's language.
ERROR_PAGES = {
    CSRFError: ("csrf", None, N_("Session expired"), N_("The form expired. Please go back and try again."), 400),
    429: ("rate_limited", "Too many requests.", N_("Too many attempts"),
          N_("Too many attempts. Please wait a minute and try again."), 429),
    404: ("not_found", "Not found.", N_("Not found"), N_("This page does not exist."), 404),
    500: ("internal", "Something went wrong.", N_("Something went wrong"), N_("Something went wrong on our side."), 500),
}


def _register_error_pages(app):
    """JSON errors under /api, friendly pages elsewhere; never a stack trace."""

    @login_manager.unauthorized_handler
    def unauthorized():
        if _wants_json():
            return jsonify(ok=False, error={"code": "forbidden", "message": "Sign in as an admin first."}), 401
        return redirect(url_for("auth.login", next=request.path))

    for error, (code, message, title, page_message, page_status) in ERROR_PAGES.items():
        json_status = 403 if error is CSRFError else page_status

        def handle(exc, code=code, message=message, title=title, page_message=page_message,
                   page_status=page_status, json_status=json_status):
            if _wants_json():
                return jsonify(ok=False, error={"code": code, "message": message or exc.description}), json_status
            return render_template("error.html", title=gettext(title), message=gettext(page_message)), page_status

        app.register_error_handler(error, handle)

    @app.errorhandler(db.DatabaseUnavailable)
    def database_unavailable(_exc):
        code, message = UNAVAILABLE
        if _wants_json():
            return jsonify(ok=False, error={"code": code, "message": message}), 503
        return render_template("error.html", title="Please try again",
                               message="We can't reach our records right now. Please try again in a moment."), 503

    @app.errorhandler(HTTPException)
    def other_http_errors(exc):
        if _wants_json():
            code = JSON_ERROR_CODES.get(exc.code, "invalid_payload" if exc.code < 500 else "internal")
            return jsonify(ok=False, error={"code": code, "message": exc.description}), exc.code
        return render_template("error.html", title=exc.name, message=exc.description), exc.code


# The /api error code of statuses without their own entry in ERROR_PAGES.
JSON_ERROR_CODES = {400: "invalid_payload", 401: "forbidden", 403: "forbidden", 405: "method_not_allowed",
                    413: "too_large"}


@click.command("create-admin")
@click.argument("username")
@click.option("--password", help="At least 10 characters; a random one is generated and printed if omitted.")
@click.option("--display-name", help='What students see as the author, e.g. "Maria from Admissions".')
def create_admin_command(username, password, display_name):
    """Create an advisor (admin) account."""
    from havana.auth.accounts import create_admin
    try:
        password = create_admin(username, password, display_name)
    except ValueError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"Admin {username!r} created. Password: {password}")


@click.command("display-name")
@click.argument("username")
@click.argument("display_name", required=False)
def display_name_command(username, display_name):
    """Set what students see as an advisor's name (none: "Admissions advisor")."""
    row = admin_db.admin_by_username(username)
    if row is None:
        raise click.ClickException(f"No admin named {username!r}.")
    admin_db.set_display_name(row["id"], " ".join((display_name or "").split())[:80] or None)
    click.echo(f"{username!r} is shown to students as {display_name or 'Admissions advisor'!r}.")


def ensure_first_admin(config):
    """First run in development: create 'admin' with a random password, printed once."""
    if admin_db.count_admins():
        return
    if config.is_production:
        print(" * No admin account yet. Create one with: python app.py create-admin USERNAME", flush=True)
        return
    from havana.auth.accounts import create_admin
    password = create_admin("admin")
    print(f" * Created the first admin account. Sign in at /login as 'admin' with password: {password}\n"
          "   (shown once; more accounts: python app.py create-admin USERNAME)", flush=True)


def _dev_secret_key(app, config):
    """Production needs SECRET_KEY; development keeps a generated one under instance/."""
    if config.is_production:
        raise RuntimeError("SECRET_KEY must be set in production")
    path = Path(app.instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()


def _stop_gracefully_on_sigterm(app, config):
    """SIGTERM: stop accepting, let in-flight AI replies finish (bounded), then exit."""
    import gevent
    import signal

    def shutdown():
        log = logging.getLogger("havana.shutdown")
        log.info("SIGTERM: no longer accepting connections")
        server = socketio.wsgi_server
        server.stop_accepting()
        # Closing the listener refuses new connections at once (a load balancer moves on);
        # a listener that stays open would queue them unanswered. Open sockets stay up.
        server.socket.close()
        left = runtime.replies.wait(config.SHUTDOWN_GRACE)
        log.info("stopping with %d AI replies unfinished", left)
        socketio.stop()

    gevent.signal_handler(signal.SIGTERM, lambda: gevent.spawn(shutdown))


def main(argv=None):
    import sys
    argv = sys.argv[1:] if argv is None else argv
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    config = Config()
    app = create_app(config)
    commands = {"create-admin": create_admin_command, "display-name": display_name_command}
    if argv and argv[0] in commands:
        commands[argv[0]].main(args=argv[1:], prog_name=f"python app.py {argv[0]}")
        return
    ensure_first_admin(config)
    _stop_gracefully_on_sigterm(app, config)
    print(f" * Havana Chat on http://{config.HOST}:{config.PORT}  "
          f"(database: {db.get_engine().url.get_backend_name()}, "
          f"assistant: {active_model()})", flush=True)
    # gevent's WSGI server: no debug reloader, no Werkzeug development server.
    from havana import serving
    serving.serve(app, config, socketio)


if __name__ == "__main__":
    main()
