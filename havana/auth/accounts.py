"""Admin accounts: argon2 password hashes, Flask-Login users."""
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_login import UserMixin

from db import admins as admin_db
from havana.extensions import login_manager

_hasher = PasswordHasher()
# Verifying against this keeps a sign-in for an unknown user as slow as for a known one.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))
MIN_PASSWORD_LENGTH = 10


class Admin(UserMixin):
    def __init__(self, row):
        self.id = row["id"]
        self.username = row["username"]
        self.epoch = row["session_epoch"]

    def get_id(self):
        # The epoch makes sign-out end every session of the account, sockets included.
        return f"{self.id}:{self.epoch}"


@login_manager.user_loader
def load_admin(session_id):
    try:
        admin_id, epoch = (int(part) for part in str(session_id).split(":"))
    except ValueError:
        return None
    row = admin_db.admin_by_id(admin_id)
    return Admin(row) if row and row["session_epoch"] == epoch else None


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


def create_admin(username, password=None):
    """Create an admin; returns the password (generated when not given). Raises ValueError."""
    username = (username or "").strip()
    if not username or len(username) > 64:
        raise ValueError("The username must be 1 to 64 characters.")
    password = password or secrets.token_urlsafe(12)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters.")
    if admin_db.admin_by_username(username):
        raise ValueError(f"An admin named {username!r} already exists.")
    admin_db.create_admin(username, _hasher.hash(password))
    return password
