"""Queries on the settings table (shared by every process)."""
from sqlalchemy import select, update, insert
from sqlalchemy.exc import IntegrityError

from . import transaction, utcnow
from .schema import settings


def get_setting(key, default=None):
    with transaction() as conn:
        value = conn.execute(select(settings.c.value).where(settings.c.key == key)).scalar()
    return default if value is None else value


def get_settings(keys):
    """{key: value} for those of the keys that are set, in one query."""
    with transaction() as conn:
        return dict(conn.execute(select(settings.c.key, settings.c.value).where(settings.c.key.in_(list(keys)))).all())


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
