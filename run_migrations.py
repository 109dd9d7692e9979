"""Apply database migrations and seed advisor-call slots for the coming days.

Idempotent: running it twice adds nothing; running it tomorrow tops up the window.
Usage: python run_migrations.py   (DATABASE_URL from the environment or .env)
"""
import db
from db.migrate import top_up_slots, upgrade
from havana.config import Config


def main():
    config = Config()
    db.init_engine(config)
    upgrade()
    added = top_up_slots(config)
    print(f"migrations applied; {added} new booking slots")


if __name__ == "__main__":
    main()
