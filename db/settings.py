"""Queries on the settings table (shared by every process)."""
from sqlalchemy import bindparam, select, update, insert
from sqlalchemy.exc import IntegrityError

from . import transaction, utcnow
from .schema import settings


def get_setting(key, default=None):
    with transaction() as conn:
        value = conn.execute(select(settings.c.value).where(settings.c.key == key)).scalar()
    return default if value is None else value


_GET_MANY = select(settings.c.key, settings.c.value).where(settings.c.key.in_(bindparam("keys", expanding=True)))


def get_settings(keys):
    """{key: value} for those of the keys that are set, in one query (built once: every reply asks)."""
    with transaction() as conn:
        return dict(conn.execute(_GET_MANY, {"keys": list(keys)}).all())


def set_setting(key, value):
    """Insert or replace a setting."""
    now = utcnow()
    with transaction() as conn:
        result = conn.execute(update(settings).where(settings.c.key == key).values(value=value, updated_at=now))
        if result.rowcount:
            return
    try:
        with transaction() as conn:
            conn.execute(insert(settings).values(key=key, value=value, updated_at=now))
    except IntegrityError:
        # Another process inserted it first; last write wins.
        with transaction() as conn:
            conn.execute(update(settings).where(settings.c.key == key).values(value=value, updated_at=now))
