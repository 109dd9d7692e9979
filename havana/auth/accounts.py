"""Admin accounts: argon2 password hashes, Flask-Login users, sign-in throttling, known devices."""
import math
import re
import secrets
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cachetools import TTLCache
from flask import current_app
from flask_login import UserMixin
from itsdangerous import BadSignature, URLSafeTimedSerializer

import db
from db import admins as admin_db
from havana.extensions import login_manager
from havana.protocol import DEFAULT_ADVISOR_NAME

_hasher = PasswordHasher()
# Verifying against this keeps a sign-in for an unknown user as slow as for a known one.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))
MIN_PASSWORD_LENGTH = 10
# A new name, normalised (db.admins.username_key), must be made of these: what a person types is
# then what every screen shows, with no look-alike or invisible character to hide behind.
USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._@-]{0,63}")

# Failed sign-ins on one account: the first FREE_FAILURES cost nothing; each later one doubles the
# wait before the account takes another try from a device it was never signed in on (5 s, 10 s, 20 s,
# ... at most MAX_WAIT). A device the advisor signed in on before is never kept waiting.
FREE_FAILURES = 5
FIRST_WAIT = 5
MAX_WAIT = 15 * 60
FAILURES_FORGOTTEN_AFTER = 24 * 3600  # seconds since the last failure
DEVICE_COOKIE = "havana_device"
DEVICE_MAX_AGE = 180 * 24 * 3600


class TooManyFailures(Exception):
    """The account takes no try from this device for `wait` more seconds."""

    def __init__(self, wait):
        super().__init__(f"wait {wait} s")
        self.wait = wait


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
            try:  # one lookup: an entry can expire between `in` and `[]`, and that raised KeyError
                return self._cache[session_id]
            except KeyError:
                pass
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


def authenticate(username, password, device_admin_id=None):
    """The Admin for these credentials, or None. Raises TooManyFailures while the account is waiting.

    `device_admin_id`: the account a known-device cookie of this browser was issued for.
    """
    row = admin_db.admin_by_username(username)
    if row is not None:
        _claim_attempt(row["id"], known_device=device_admin_id == row["id"])
    try:
        _hasher.verify(row["password_hash"] if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    rehash = _hasher.hash(password) if _hasher.check_needs_rehash(row["password_hash"]) else None
    admin_db.record_login(row["id"], rehash)
    return Admin(row)


def _claim_attempt(admin_id, known_device):
    """Count the attempt as failed before the (slow) check, so parallel guesses all count; a success clears it."""
    with db.transaction():
        row = admin_db.lock_admin(admin_id)
        if row is None:
            return
        since = (db.utcnow() - row["last_failed_login_at"]).total_seconds() if row["last_failed_login_at"] else None
        failures = row["failed_logins"] if since is not None and since < FAILURES_FORGOTTEN_AFTER else 0
        wait = failure_wait(failures) - (since or 0)
        if wait > 0 and not known_device:
            raise TooManyFailures(math.ceil(wait))
        admin_db.count_sign_in_attempt(admin_id, failures)


def failure_wait(failures):
    """Seconds the account waits after this many failures in a row."""
    if failures < FREE_FAILURES:
        return 0
    return min(FIRST_WAIT * 2 ** (failures - FREE_FAILURES), MAX_WAIT)


def _device_signer():
    return URLSafeTimedSerializer(current_app.secret_key, salt="havana-known-device")


def remember_device(response, admin_id, secure):
    """Mark this browser as one the advisor signed in on (a signed cookie); it is never kept waiting."""
    value = _device_signer().dumps({"admin": admin_id, "device": secrets.token_urlsafe(8)})
    response.set_cookie(DEVICE_COOKIE, value, max_age=DEVICE_MAX_AGE, httponly=True, samesite="Lax",
                        secure=secure, path="/login")


def known_device_admin(cookies):
    """The account this browser's known-device cookie was issued for, or None."""
    try:
        return _device_signer().loads(cookies.get(DEVICE_COOKIE, ""), max_age=DEVICE_MAX_AGE)["admin"]
    except (BadSignature, KeyError, TypeError):
        return None


def create_admin(username, password=None, display_name=None):
    """Create an admin under the normalised name; returns the password (generated when not given). Raises ValueError."""
    username = admin_db.username_key(username)
    if not USERNAME_PATTERN.fullmatch(username):
        raise ValueError("The username must be 1 to 64 characters: letters a-z, digits and . _ @ - "
                         "(starting with a letter or digit).")
    password = password or secrets.token_urlsafe(12)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters.")
    if admin_db.admin_by_username(username):
        raise ValueError(f"An admin named {username!r} already exists.")
    admin_db.create_admin(username, _hasher.hash(password), " ".join((display_name or "").split())[:80] or None)
    return password
