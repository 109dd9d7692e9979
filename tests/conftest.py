"""Fixtures that start what is real: databases, the app server on a free port, socket clients.

HAVANA_REQUIRE_MYSQL=1 / HAVANA_REQUIRE_BROWSER=1 (set by `make test` in CI) turn a
missing MariaDB or Chromium into a failure instead of a skip.
"""
import os
import re
import socket
import subprocess
import tempfile
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
import socketio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import db  # noqa: E402
from db.migrate import top_up_slots, upgrade  # noqa: E402
from havana.config import Config  # noqa: E402

MYSQL_SERVER_URL = os.environ.get("TEST_MYSQL_URL", "mysql+mysqlconnector://root@127.0.0.1:3306")
REQUIRE_MYSQL = os.environ.get("HAVANA_REQUIRE_MYSQL") == "1"
REQUIRE_BROWSER = os.environ.get("HAVANA_REQUIRE_BROWSER") == "1"
CHROMIUM = "/usr/bin/chromium"


def unavailable(what, required):
    if required:
        pytest.fail(f"{what} is required here (HAVANA_REQUIRE_*) but is not available")
    pytest.skip(f"{what} is not available")


# -- databases ---------------------------------------------------------------------------

def _mysql_admin_engine():
    from sqlalchemy import create_engine
    return create_engine(MYSQL_SERVER_URL, connect_args={"use_pure": True, "connection_timeout": 3})


@pytest.fixture(scope="session")
def mysql_server():
    """A reachable MariaDB/MySQL server, or skip (fail when required)."""
    from sqlalchemy import text
    try:
        engine = _mysql_admin_engine()
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "not here"
        unavailable(f"MySQL at {MYSQL_SERVER_URL} ({type(exc).__name__})", REQUIRE_MYSQL)
    yield engine
    engine.dispose()


def _fresh_mysql_database(server):
    from sqlalchemy import text
    name = f"havana_test_{uuid.uuid4().hex[:10]}"
    with server.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
    return name, f"{MYSQL_SERVER_URL}/{name}"


def _drop_mysql_database(server, name):
    from sqlalchemy import text
    with server.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))


@pytest.fixture(params=["sqlite", "mysql"])
def database_url(request, tmp_path):
    """An empty database URL, once on SQLite and once on MariaDB."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    server = request.getfixturevalue("mysql_server")
    name, url = _fresh_mysql_database(server)
    yield url
    _drop_mysql_database(server, name)


@pytest.fixture
def mysql_url(mysql_server):
    name, url = _fresh_mysql_database(mysql_server)
    yield url
    _drop_mysql_database(mysql_server, name)


# Mails the tests cause without an SMTP server go here, not into the checkout's instance/outbox.
TEST_OUTBOX = os.path.join(tempfile.gettempdir(), f"havana-test-outbox-{os.getpid()}")


def make_config(database_url, **overrides):
    overrides.setdefault("MAIL_OUTBOX_DIR", TEST_OUTBOX)
    return Config(DATABASE_URL=database_url, SECRET_KEY="test-secret", **overrides)


@pytest.fixture
def migrated(database_url):
    """This process's engine on a migrated, seeded database; yields the Config."""
    config = make_config(database_url)
    db.init_engine(config)
    upgrade()
    top_up_slots(config)
    yield config
    db.get_engine().dispose()


# -- the app in this process -------------------------------------------------------------

class CapturedSocket:
    """A Flask-SocketIO test client: every event the server emits to it is kept in order."""

    def __init__(self, client):
        self.client = client

    @property
    def events(self):
        return [(e["name"], e["args"][0] if e["args"] else None) for e in list(self.client.queue)]

    def of(self, event):
        return [data for name, data in self.events if name == event]

    def call(self, event, data=None):
        """Emit and return the ack (handlers run in this thread)."""
        return self.client.emit(event, data, callback=True)

    def wait_for(self, event, predicate=lambda data: True, timeout=10):
        found = []
        wait_until(lambda: found.extend(d for d in self.of(event) if predicate(d)) or found, timeout)
        return found[0]


class InProcess:
    """The app built in the test's own process (threading mode), so its rules can be tested one by one."""

    def __init__(self, config):
        from app import create_app
        from havana.extensions import socketio as server
        self.config, self.app, self.server = config, create_app(config), server
        self.sockets = []

    def student(self):
        return self._socket(self.app.test_client())

    def advisor(self, username, display_name=None):
        """(socket, Admin): a signed-in advisor's dashboard connection, and the account."""
        from db import admins as admin_db
        from havana.auth.accounts import Admin
        row = admin_db.admin_by_username(username)
        if row is None:
            admin_db.create_admin(username, "not-a-real-hash", display_name)
            row = admin_db.admin_by_username(username)
        web = self.app.test_client()
        with web.session_transaction() as session:
            session["_user_id"] = Admin(row).get_id()
            session["_fresh"] = True
        socket = self._socket(web)
        assert socket.call("admin_connect", {})["ok"]
        return socket, Admin(row)

    def _socket(self, web):
        socket = CapturedSocket(self.server.test_client(self.app, flask_test_client=web))
        self.sockets.append(socket)
        return socket

    def close(self):
        from havana.runtime import runtime
        if runtime.mail is not None:
            runtime.mail.stop()
        runtime.replies.wait(15)
        for socket in self.sockets:
            if socket.client.is_connected():
                socket.client.disconnect()
        db.get_engine().dispose()


@pytest.fixture
def inprocess(tmp_path):
    """Factory: inprocess(database_url=None, **config) -> InProcess on that database (SQLite by default)."""
    made = []

    def make(database_url=None, **overrides):
        overrides = {"ASYNC_MODE": "threading", "REDIS_URL": None, "SOCKETIO_MESSAGE_QUEUE": None, **overrides}
        made.append(InProcess(make_config(database_url or f"sqlite:///{tmp_path / 'app.sqlite3'}", **overrides)))
        return made[-1]

    yield make
    for app in made:
        app.close()


# -- the live server ---------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """`python app.py` in a subprocess, as a user runs it."""

    def __init__(self, env, log_path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "PORT": str(self.port), "HOST": "127.0.0.1", "SECRET_KEY": "test-secret",
                    "HAVANA_ENV": "development", "PYTHONUNBUFFERED": "1", "MAIL_OUTBOX_DIR": TEST_OUTBOX, **env}
        for key in ("OPENAI_API_KEY", "GOOGLE_API_KEY", "REDIS_URL", "SOCKETIO_MESSAGE_QUEUE"):
            if key not in env:
                self.env.pop(key, None)
        self.log_path = log_path
        self.process = None

    def start(self, timeout=30):
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=self.env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {Path(self.log_path).read_text()[-3000:]}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).ok:
                    return self
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start: {Path(self.log_path).read_text()[-3000:]}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if self.process:
            self.log.close()

    def output(self):
        return Path(self.log_path).read_text(errors="replace")

    def first_admin_password(self):
        """The password the first run printed for 'admin'."""
        match = re.search(r"as 'admin' with password: (\S+)", self.output())
        assert match, self.output()
        return match[1]

    def create_admin(self, username, password):
        """`python app.py create-admin` against this server's database."""
        subprocess.run([sys.executable, str(ROOT / "app.py"), "create-admin", username, "--password", password],
                       cwd=ROOT, env=self.env, check=True, capture_output=True)

    def sign_in(self, username="admin", password=None):
        """A requests.Session signed in through the real form (with its CSRF token)."""
        session = requests.Session()
        page = session.get(self.url + "/login").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
        response = session.post(self.url + "/login", data={
            "csrf_token": token, "username": username,
            "password": password or self.first_admin_password()}, allow_redirects=False)
        assert response.status_code == 302, response.text[:500]
        session.csrf_token = token  # valid for the whole session
        return session


@pytest.fixture
def start_server(tmp_path):
    """Factory: start_server(database_url=..., **env) -> a running LiveServer."""
    servers = []

    def start(database_url=None, **env):
        env.setdefault("DATABASE_URL", database_url or f"sqlite:///{tmp_path / 'live.sqlite3'}")
        server = LiveServer({k: str(v) for k, v in env.items()}, tmp_path / f"server-{len(servers)}.log")
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The app on SQLite with the offline assistant, shared by one test module."""
    tmp = tmp_path_factory.mktemp("live")
    server = LiveServer({"DATABASE_URL": f"sqlite:///{tmp / 'live.sqlite3'}"}, tmp / "server.log").start()
    yield server
    server.stop()


# -- socket clients ----------------------------------------------------------------------

class Recorder:
    """A python-socketio client that records every event it receives."""

    def __init__(self, url, **connect_kwargs):
        self.events = []
        self.client = socketio.Client(reconnection=False)
        self.client.on("*", lambda event, data=None: self.events.append((event, data)))
        self.client.connect(url, transports=["websocket"], wait_timeout=10, **connect_kwargs)

    def call(self, event, data=None, timeout=10):
        return self.client.call(event, data, timeout=timeout)

    def emit(self, event, data=None):
        self.client.emit(event, data)

    def of(self, event):
        return [data for name, data in self.events if name == event]

    def wait_for(self, event, predicate=lambda data: True, timeout=10):
        """The first received `event` whose payload satisfies predicate; fails after timeout."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            for data in self.of(event):
                if predicate(data):
                    return data
            time.sleep(0.02)
        raise AssertionError(f"no {event} matching within {timeout}s; got {self.events[-10:]}")

    def close(self):
        self.client.disconnect()


@pytest.fixture
def connect():
    """Factory: connect(url) -> Recorder; all disconnected at the end."""
    clients = []

    def make(url, **kwargs):
        client = Recorder(url, **kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture(scope="module")
def admin_session(live_server):
    """The first admin, signed in to this module's live server."""
    return live_server.sign_in()


@pytest.fixture
def admin(connect, live_server, admin_session):
    """A socket client of the signed-in admin, with the desk loaded."""
    client = connect_admin(connect, live_server, admin_session)
    assert client.call("admin_connect", {})["ok"]
    return client


def post(session, url, method="post", **kwargs):
    """A write to the API with the session's CSRF token (and any other `headers`)."""
    headers = {"X-CSRFToken": session.csrf_token, **kwargs.pop("headers", {})}
    return getattr(session, method)(url, headers=headers, **kwargs)


def connect_admin(connect, server, session):
    """A socket client carrying the admin's session cookie."""
    cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    return connect(server.url, headers={"Cookie": cookie})


# -- the browser -------------------------------------------------------------------------

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = ROOT / "test-results"


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright, or skip (fail when required)."""
    if not os.path.exists(CHROMIUM):
        unavailable(f"Chromium at {CHROMIUM}", REQUIRE_BROWSER)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright for Python", REQUIRE_BROWSER)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page_factory(browser):
    """Factory: page_factory(url, width, height, **context_options) -> a page in its own context (options
    such as locale= or reduced_motion= go to the context); console errors collected."""
    contexts = []

    def make(url, width=1280, height=800, **context_options):
        context = browser.new_context(viewport={"width": width, "height": height}, **context_options)
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: page.console_errors.append(str(e)))
        page.goto(url)
        return page

    yield make
    for context in contexts:
        context.close()


def screenshot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def wait_until(condition, timeout=10):
    """Poll condition() until it is true; fails after timeout."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def ai_reply(client, chat_id, after_id, timeout=15):
    """Wait for the AI's message in chat_id newer than after_id."""
    return client.wait_for("new_message", lambda m: m["chat_id"] == chat_id and m["role"] == "ai"
                           and m["id"] > after_id, timeout)
