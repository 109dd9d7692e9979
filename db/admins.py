"""Queries on admin accounts."""
from sqlalchemy import func, insert, select, update

from . import transaction, utcnow
from .schema import admins

_live = admins.c.deleted_at.is_(None)


def create_admin(username, password_hash, display_name=None):
    """Create an admin; raises sqlalchemy IntegrityError if the username exists."""
    with transaction() as conn:
        result = conn.execute(insert(admins).values(username=username, password_hash=password_hash,
                                                    display_name=display_name, created_at=utcnow()))
    return result.inserted_primary_key[0]


def admin_by_username(username):
    with transaction() as conn:
        row = conn.execute(select(admins).where(admins.c.username == username, _live)).mappings().first()
    return dict(row) if row else None


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
    """Stamp the sign-in; a rehashed password (stronger parameters) is stored too."""
    values = {"last_login_at": utcnow()}
    if password_hash:
        values["password_hash"] = password_hash
    with transaction() as conn:
        conn.execute(update(admins).where(admins.c.id == admin_id).values(**values))
