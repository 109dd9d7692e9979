"""Admin accounts: argon2 password hashes, Flask-Login users."""
import secrets
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cachetools import TTLCache
from flask import current_app
from flask_login import UserMixin

from db import admins as admin_db
from havana.extensions import login_manager
from havana.protocol import DEFAULT_ADVISOR_NAME

_hasher = PasswordHasher()
# Verifying against this keeps a sign-in for an unknown user as slow as for a known one.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))
MIN_PASSWORD_LENGTH = 10


class Admin(UserMixin):
    def __init__(self, row):
        self.id = row["id"]
        self.username = row["username"]
        self.display_name = row.get("display_name")  # what students see; None: "Admissions advisor"
        self.epoch = row["session_epoch"]

    def get_id(self):
        # The epoch makes sign-out end every session of the account, sockets included.
        return f"{self.id}:{self.epoch}"


class RecentAdmins:
    """Admins loaded in the last `ttl` seconds, by session id.

    Flask-Login loads the user for every socket event, and an advisor's dashboard sends many;
    one read per session every few seconds keeps a deleted or signed-out account's sockets
    out within `ttl` in every process, and at once in the process that signed it out.
    """

    def __init__(self, ttl):
        self._cache = TTLCache(maxsize=4096, ttl=ttl) if ttl > 0 else None
        self._lock = threading.Lock()

    def get(self, session_id):
        if self._cache is None:
            return _load_admin(session_id)
        with self._lock:
            if session_id in self._cache:
                return self._cache[session_id]
        admin = _load_admin(session_id)
        with self._lock:
            self._cache[session_id] = admin
        return admin

    def forget(self, admin_id):
        if self._cache is not None:
            with self._lock:
                for session_id in [k for k in self._cache if k.split(":")[0] == str(admin_id)]:
                    self._cache.pop(session_id, None)


def init_app(app, config):
    app.extensions["havana_admins"] = RecentAdmins(config.ADMIN_RECHECK_SECONDS)


@login_manager.user_loader
def load_admin(session_id):
    return current_app.extensions["havana_admins"].get(str(session_id))


def _load_admin(session_id):
    try:
        admin_id, epoch = (int(part) for part in session_id.split(":"))
    except ValueError:
        return None
    row = admin_db.admin_by_id(admin_id)
    return Admin(row) if row and row["session_epoch"] == epoch else None


def sign_out_everywhere(admin_id):
    """End every session of the account: pages, API clients and live sockets."""
    admin_db.end_sessions(admin_id)
    current_app.extensions["havana_admins"].forget(admin_id)


def set_display_name(admin_id, display_name):
    """Set (or, blank, clear) what students see as this advisor's name; returns the name they see now."""
    display_name = " ".join((display_name or "").split())[:80] or None
    admin_db.set_display_name(admin_id, display_name)
    current_app.extensions["havana_admins"].forget(admin_id)
    return display_name or DEFAULT_ADVISOR_NAME


def authenticate(username, password):
    """The Admin for these credentials, or None."""
    row = admin_db.admin_by_username(username)
    try:
        _hasher.verify(row["password_hash"] if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    rehash = _hasher.hash(password) if _hasher.check_needs_rehash(row["password_hash"]) else None
    admin_db.record_login(row["id"], rehash)
    return Admin(row)


def create_admin(username, password=None, display_name=None):
    """Create an admin; returns the password (generated when not given). Raises ValueError."""
    username = (username or "").strip()
    if not username or len(username) > 64:
        raise ValueError("The username must be 1 to 64 characters.")
    password = password or secrets.token_urlsafe(12)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters.")
    if admin_db.admin_by_username(username):
        raise ValueError(f"An admin named {username!r} already exists.")
    admin_db.create_admin(username, _hasher.hash(password), " ".join((display_name or "").split())[:80] or None)
    return password
