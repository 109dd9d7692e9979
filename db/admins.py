"""Queries on admin accounts."""
import unicodedata

from sqlalchemy import func, insert, select, update

from . import transaction, utcnow
from .schema import admins

_live = admins.c.deleted_at.is_(None)

# Characters that show nothing: format characters (zero-width space and joiners, soft hyphen, BOM,
# bidi marks) are category Cf; these others are letters or symbols that render blank.
_BLANK = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800", "\u034f"}


def username_key(name):
    """The one form of a sign-in name that accounts are stored and found under.

    NFKC (full-width and other compatibility letters become plain ones), case-folded, invisible
    characters and surrounding spaces removed. Compared byte for byte: the database collation's
    idea of equal (`bób` = `bob`) never decides which account a sign-in is for.
    """
    name = unicodedata.normalize("NFKC", name or "")
    name = "".join(ch for ch in name if unicodedata.category(ch) != "Cf" and ch not in _BLANK)
    return unicodedata.normalize("NFKC", name.casefold()).strip()


def create_admin(username, password_hash, display_name=None):
    """Create an admin; raises sqlalchemy IntegrityError if the name (normalised) exists."""
    with transaction() as conn:
        result = conn.execute(insert(admins).values(username=username, username_key=username_key(username),
                                                    password_hash=password_hash, display_name=display_name,
                                                    created_at=utcnow()))
    return result.inserted_primary_key[0]


def admin_by_username(username):
    """The live admin whose normalised name is this name's, or None."""
    with transaction() as conn:
        row = conn.execute(select(admins).where(admins.c.username_key == username_key(username), _live)
                           ).mappings().first()
    return dict(row) if row else None


def lock_admin(admin_id):
    """The live admin, locked until the surrounding transaction ends (sign-in attempts queue); or None."""
    with transaction() as conn:
        query = select(admins).where(admins.c.id == admin_id, _live)
        if conn.dialect.name != "sqlite":  # SQLite: the write that follows takes the database lock
            query = query.with_for_update()
        row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def count_sign_in_attempt(admin_id, failures):
    """Record an attempt as a failure until it succeeds: `failures` so far, now one more."""
    with transaction() as conn:
        conn.execute(update(admins).where(admins.c.id == admin_id)
                     .values(failed_logins=failures + 1, last_failed_login_at=utcnow()))


def admin_by_id(admin_id):
    with transaction() as conn:
        row = conn.execute(select(admins).where(admins.c.id == admin_id, _live)).mappings().first()
    return dict(row) if row else None


def usernames(admin_ids):
    """{id: username} for these admins (deleted ones too: history keeps their name)."""
    ids = [i for i in admin_ids if i]
    if not ids:
        return {}
    with transaction() as conn:
        return dict(conn.execute(select(admins.c.id, admins.c.username).where(admins.c.id.in_(ids))).all())


def set_display_name(admin_id, display_name):
    """What students see as the author of this advisor's messages (None: the neutral default)."""
    with transaction() as conn:
        return conn.execute(update(admins).where(admins.c.id == admin_id, _live)
                            .values(display_name=display_name)).rowcount == 1


def set_available(admin_id, available):
    with transaction() as conn:
        conn.execute(update(admins).where(admins.c.id == admin_id).values(available=bool(available)))


def available_usernames():
    with transaction() as conn:
        return list(conn.execute(select(admins.c.username).where(_live, admins.c.available.is_(True))
                                 .order_by(admins.c.username)).scalars())


def count_admins():
    with transaction() as conn:
        return conn.execute(select(func.count()).select_from(admins).where(_live)).scalar()


def end_sessions(admin_id):
    """Sign the account out everywhere: sessions carry the epoch they were made in."""
    with transaction() as conn:
        conn.execute(update(admins).where(admins.c.id == admin_id)
                     .values(session_epoch=admins.c.session_epoch + 1))


def record_login(admin_id, password_hash=None):
    """Stamp the sign-in and clear the failures; a rehashed password (stronger parameters) is stored too."""
    values = {"last_login_at": utcnow(), "failed_logins": 0, "last_failed_login_at": None}
    if password_hash:
        values["password_hash"] = password_hash
    with transaction() as conn:
        conn.execute(update(admins).where(admins.c.id == admin_id).values(**values))
