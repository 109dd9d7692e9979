"""Configuration: one class, read from the environment (and `.env`)."""
import os
from functools import cached_property
from pathlib import Path

from dotenv import load_dotenv

from havana.hours import BusinessHours

ROOT = Path(__file__).resolve().parent.parent

load_dotenv(ROOT / ".env")


def _int(name, default):
    return int(os.environ.get(name, default))


def _float(name, default):
    return float(os.environ.get(name, default))


def _bool(name, default):
    return os.environ.get(name, str(default)).strip().lower() in ("1", "true", "yes", "on")


def default_database_url():
    return f"sqlite:///{ROOT / 'instance' / 'havana.sqlite3'}"


class Config:
    """Every setting the app reads; tests pass their own subclass or overrides."""

    def __init__(self, **overrides):
        env = os.environ.get
        self.ENV = env("HAVANA_ENV", "development")
        self.SECRET_KEY = env("SECRET_KEY") or None
        self.HOST = env("HOST", "127.0.0.1")
        self.PORT = _int("PORT", 3000)

        self.DATABASE_URL = env("DATABASE_URL") or default_database_url()
        self.DB_POOL_SIZE = _int("DB_POOL_SIZE", 10)
        self.DB_MAX_OVERFLOW = _int("DB_MAX_OVERFLOW", 20)
        self.DB_POOL_TIMEOUT = _float("DB_POOL_TIMEOUT", 30)
        self.DB_POOL_RECYCLE = _int("DB_POOL_RECYCLE", 1800)
        self.AUTO_MIGRATE = _bool("AUTO_MIGRATE", self.ENV != "production")

        self.KNOWLEDGE_BASE_PATH = env("KNOWLEDGE_BASE_PATH", str(ROOT / "school_data.txt"))
        self.INSTITUTION_NAME = env("INSTITUTION_NAME", "Havana University")
        self.OPENAI_API_KEY = env("OPENAI_API_KEY") or None
        self.OPENAI_MODEL = env("OPENAI_MODEL", "gpt-4o")
        self.OPENAI_BASE_URL = env("OPENAI_BASE_URL") or None
        self.GOOGLE_API_KEY = env("GOOGLE_API_KEY") or None
        self.GEMINI_MODEL = env("GEMINI_MODEL", "gemini-2.5-pro")
        self.GEMINI_BASE_URL = env("GEMINI_BASE_URL") or None
        self.AI_TIMEOUT = _float("AI_TIMEOUT", 30)
        self.AI_MAX_RETRIES = _int("AI_MAX_RETRIES", 1)
        self.AI_MAX_TOOL_STEPS = _int("AI_MAX_TOOL_STEPS", 4)
        self.AI_MAX_CONCURRENT_REPLIES = _int("AI_MAX_CONCURRENT_REPLIES", 200)

        self.ASYNC_MODE = env("ASYNC_MODE", "gevent")
        self.ACCESS_LOG = _bool("ACCESS_LOG", False)
        self.ALLOWED_ORIGINS = [o.strip() for o in env("ALLOWED_ORIGINS", "").split(",") if o.strip()]
        self.REDIS_URL = env("REDIS_URL") or None
        self.SOCKETIO_MESSAGE_QUEUE = env("SOCKETIO_MESSAGE_QUEUE") or self.REDIS_URL
        self.SOCKETIO_CHANNEL = env("SOCKETIO_CHANNEL", "havana-chat")
        self.MAX_HTTP_BUFFER_SIZE = _int("MAX_HTTP_BUFFER_SIZE", 64 * 1024)
        self.MAX_MESSAGE_LENGTH = _int("MAX_MESSAGE_LENGTH", 2000)
        self.MAX_CHATS_PER_CONNECTION = _int("MAX_CHATS_PER_CONNECTION", 20)
        self.RATE_MESSAGES_PER_CHAT = env("RATE_MESSAGES_PER_CHAT", "20/minute")
        self.RATE_MESSAGES_PER_ADDRESS = env("RATE_MESSAGES_PER_ADDRESS", "120/minute")
        self.RATE_CHATS_PER_ADDRESS = env("RATE_CHATS_PER_ADDRESS", "60/hour")
        self.ADMIN_RECHECK_SECONDS = _float("ADMIN_RECHECK_SECONDS", 2)
        self.TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)
        self.SHUTDOWN_GRACE = _float("SHUTDOWN_GRACE", 20)
        self.SLOT_TIMES = env("SLOT_TIMES", "09:00,10:00,11:00,14:00,15:00,16:00").split(",")
        self.SLOT_DAYS = _int("SLOT_DAYS", 7)
        self.TIMEZONE = env("TIMEZONE", "America/Havana")
        self.BUSINESS_HOURS = env("BUSINESS_HOURS", "Mon-Fri 09:00-17:00")
        self.AVG_HANDLE_MINUTES = _float("AVG_HANDLE_MINUTES", 4)

        for key, value in overrides.items():
            setattr(self, key, value)

    @cached_property
    def business_hours(self):
        return BusinessHours(self.BUSINESS_HOURS)

    @property
    def is_production(self):
        return self.ENV == "production"
