"""Apply Alembic migrations and keep the booking-slot window topped up."""
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from alembic import command
from alembic.config import Config as AlembicConfig

from . import get_engine
from .bookings import seed_slots

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _alembic_config(connection):
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade():
    """Apply every pending migration on this process's engine."""
    engine = get_engine()
    if engine.dialect.name == "sqlite":
        Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")


def top_up_slots(config):
    """Seed the next SLOT_DAYS days of slots in the university's time zone; returns how many were added."""
    today = datetime.now(ZoneInfo(config.TIMEZONE)).date()
    return seed_slots(today, config.SLOT_DAYS, config.SLOT_TIMES)
