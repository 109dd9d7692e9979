"""Configuration: one typed class read from the environment (and `.env`), validated at start.

A value of the wrong type, an unknown key in `.env` or passed to Config(...), and an environment
variable one typo away from a setting (or an unknown HAVANA_* one) stop the start with a clear
error instead of being silently ignored.
"""
import os
from datetime import time
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal, Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import limits
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from havana.hours import BusinessHours

ROOT = Path(__file__).resolve().parent.parent

# HAVANA_* variables that are not settings: the test suite's switches (tests/conftest.py).
OTHER_HAVANA_VARIABLES = ("HAVANA_REQUIRE_MYSQL", "HAVANA_REQUIRE_BROWSER", "HAVANA_SCREENSHOTS")

CommaList = Annotated[list[str], NoDecode]


def default_database_url():
    return f"sqlite:///{ROOT / 'instance' / 'havana.sqlite3'}"


class Config(BaseSettings):
    """Every setting the app reads; tests pass their own values as keyword arguments."""

    # An empty variable (FOO=) counts as unset, as it did with the hand-written reader.
    model_config = SettingsConfigDict(env_file=ROOT / ".env", extra="forbid", case_sensitive=True,
                                      env_ignore_empty=True, populate_by_name=True, validate_default=True)

    ENV: Literal["development", "production"] = Field("development", alias="HAVANA_ENV")
    SECRET_KEY: Optional[str] = None
    HOST: str = "127.0.0.1"
    PORT: int = Field(3000, ge=1, le=65535)

    DATABASE_URL: str = ""
    DB_POOL_SIZE: int = Field(10, ge=1)
    DB_MAX_OVERFLOW: int = Field(20, ge=0)
    DB_POOL_TIMEOUT: float = Field(30, gt=0)
    DB_POOL_RECYCLE: int = Field(1800, ge=-1)
    DB_TIMEOUT: int = Field(10, ge=1)  # seconds a MySQL read or write may wait on the network
    DB_LOCK_WAIT_TIMEOUT: int = Field(5, ge=1)  # seconds a MySQL statement may wait for a row lock
    AUTO_MIGRATE: Optional[bool] = None  # unset: on except in production

    KNOWLEDGE_BASE_PATH: str = str(ROOT / "school_data.txt")
    # Above this size the real models get the best passages for each question, not the whole file.
    KNOWLEDGE_PROMPT_MAX_BYTES: int = Field(48 * 1024, ge=1024)
    INSTITUTION_NAME: Optional[str] = None  # unset: the knowledge base's title names it
    OPENAI_API_KEY: Optional[str] = None
    OPENAI_MODEL: str = "gpt-4o"
    OPENAI_BASE_URL: Optional[str] = None
    GOOGLE_API_KEY: Optional[str] = None
    GEMINI_MODEL: str = "gemini-2.5-pro"
    GEMINI_BASE_URL: Optional[str] = None
    AI_TIMEOUT: float = Field(30, gt=0)
    AI_MAX_RETRIES: int = Field(1, ge=0)
    AI_MAX_TOOL_STEPS: int = Field(4, ge=1)
    AI_MAX_CONCURRENT_REPLIES: int = Field(200, ge=1)
    REPLY_LOCK_LEASE: float = Field(10, ge=1)  # with Redis: seconds a dead process holds a chat's replies

    ASYNC_MODE: Literal["gevent", "threading"] = "gevent"  # tests run the app in their own process
    ACCESS_LOG: bool = False
    ALLOWED_ORIGINS: CommaList = []
    REDIS_URL: Optional[str] = None
    SOCKETIO_MESSAGE_QUEUE: Optional[str] = None  # unset: REDIS_URL
    SOCKETIO_CHANNEL: str = "havana-chat"
    MAX_HTTP_BUFFER_SIZE: int = Field(64 * 1024, ge=1024)
    MAX_MESSAGE_LENGTH: int = Field(2000, ge=1)
    MAX_CHATS_PER_CONNECTION: int = Field(20, ge=1)
    RATE_MESSAGES_PER_CHAT: str = "20/minute"
    RATE_MESSAGES_PER_ADDRESS: str = "120/minute"
    RATE_CHATS_PER_ADDRESS: str = "60/hour"
    ADMIN_RECHECK_SECONDS: float = Field(2, ge=0)
    ADVISOR_SWEEP_SECONDS: float = Field(30, gt=0)
    SOCKET_EVENTS_PER_SECOND: float = Field(20, gt=0)
    SOCKET_EVENT_BURST: int = Field(60, ge=1)
    SOCKET_ERRORS_PER_SECOND: int = Field(5, ge=1)
    TYPING_INTERVAL: float = Field(2, ge=0)
    METRICS_TOKEN: Optional[str] = None
    TRUSTED_PROXIES: int = Field(0, ge=0)
    CLIENT_TIMEOUT: float = Field(10, gt=0)  # seconds per read of a request (line, headers, body) and per write
    MAX_CONNECTIONS_PER_ADDRESS: int = Field(256, ge=0)  # 0: no cap; not applied behind TRUSTED_PROXIES
    SHUTDOWN_GRACE: float = Field(20, ge=0)
    SLOT_TIMES: CommaList = ["09:00", "10:00", "11:00", "14:00", "15:00", "16:00"]
    SLOT_DAYS: int = Field(7, ge=1, le=366)
    TIMEZONE: str = "America/Havana"
    BUSINESS_HOURS: str = "Mon-Fri 09:00-17:00"
    AVG_HANDLE_MINUTES: float = Field(4, gt=0)
    BOOKING_HOLD_MINUTES: float = Field(15, gt=0)  # a call booked without contact details is held this long
    MAX_BOOKINGS_PER_ADDRESS: int = Field(3, ge=1)  # active (future) calls booked from one client address

    # Mail (havana/mail): unset SMTP_URL writes each mail as an .eml file under MAIL_OUTBOX_DIR.
    SMTP_URL: Optional[str] = None  # smtp://user:password@host:587?starttls=true, or smtps://...:465
    SMTP_TIMEOUT: float = Field(20, gt=0)
    MAIL_FROM: str = "Admissions <admissions@localhost>"
    MAIL_OUTBOX_DIR: str = str(ROOT / "instance" / "outbox")
    ADVISOR_MAIL: Optional[str] = None  # who gets the advisors' copy of each call invite
    PUBLIC_URL: Optional[str] = None  # the address links in mails start with; unset: http://HOST:PORT
    MEETING_URL_TEMPLATE: str = "https://meet.jit.si/havana-{booking_id}-{token}"
    MANAGE_LINK_DAYS: int = Field(30, ge=1)  # how long the links in mails work
    REMINDER_HOURS: CommaList = ["24", "1"]
    ANSWER_MAIL_DELAY: float = Field(180, ge=0)  # seconds an answer mail collects an advisor's messages
    MAIL_POLL_SECONDS: float = Field(5, gt=0)
    MAIL_MAX_ATTEMPTS: int = Field(8, ge=1)
    MAIL_RETRY_SECONDS: float = Field(30, gt=0)  # the first retry; each next one waits twice as long

    def __init__(self, **values):
        _refuse_misspelt_environment()
        super().__init__(**values)

    @field_validator("SECRET_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL", "GOOGLE_API_KEY", "GEMINI_BASE_URL",
                     "REDIS_URL", "SOCKETIO_MESSAGE_QUEUE", "METRICS_TOKEN", "SMTP_URL", "ADVISOR_MAIL",
                     "PUBLIC_URL", mode="before")
    @classmethod
    def _blank_is_unset(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("ALLOWED_ORIGINS", "SLOT_TIMES", "REMINDER_HOURS", mode="before")
    @classmethod
    def _comma_separated(cls, value):
        return [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else value

    @field_validator("SLOT_TIMES")
    @classmethod
    def _times(cls, value):
        for item in value:
            try:
                time.fromisoformat(item)
            except ValueError:
                raise ValueError(f"{item!r} is not a time like 09:00") from None
        return value

    @field_validator("REMINDER_HOURS")
    @classmethod
    def _hours_before(cls, value):
        for item in value:
            try:
                if float(item) <= 0:
                    raise ValueError
            except ValueError:
                raise ValueError(f"{item!r} is not a number of hours like 24") from None
        return value

    @field_validator("SMTP_URL")
    @classmethod
    def _smtp_url(cls, value):
        if value is not None:
            from urllib.parse import urlsplit
            parts = urlsplit(value)
            if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
                raise ValueError("SMTP_URL must look like smtp://user:password@host:587?starttls=true "
                                 "or smtps://user:password@host:465")
        return value

    @field_validator("RATE_MESSAGES_PER_CHAT", "RATE_MESSAGES_PER_ADDRESS", "RATE_CHATS_PER_ADDRESS")
    @classmethod
    def _rate(cls, value):
        try:
            limits.parse(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a rate like 20/minute") from None
        return value

    @field_validator("TIMEZONE")
    @classmethod
    def _zone(cls, value):
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a time zone like America/Havana") from None
        return value

    @field_validator("BUSINESS_HOURS")
    @classmethod
    def _hours(cls, value):
        BusinessHours(value)  # raises ValueError naming the part it cannot read
        return value

    @model_validator(mode="after")
    def _derived(self):
        self.DATABASE_URL = self.DATABASE_URL or default_database_url()
        if self.AUTO_MIGRATE is None:
            self.AUTO_MIGRATE = not self.is_production
        self.SOCKETIO_MESSAGE_QUEUE = self.SOCKETIO_MESSAGE_QUEUE or self.REDIS_URL
        self.PUBLIC_URL = (self.PUBLIC_URL or f"http://{self.HOST}:{self.PORT}").rstrip("/")
        return self

    @cached_property
    def business_hours(self):
        return BusinessHours(self.BUSINESS_HOURS)

    @property
    def is_production(self):
        return self.ENV == "production"


def _setting_names():
    return {field.alias or name for name, field in Config.model_fields.items()}


def _refuse_misspelt_environment():
    """An environment variable meant for us but misspelt would otherwise be silently ignored."""
    names = _setting_names()
    for variable in os.environ:
        if variable in names or variable in OTHER_HAVANA_VARIABLES:
            continue
        near = next((n for n in sorted(names) if len(n) >= 8 and _one_edit_apart(variable, n)), None)
        if near or variable.startswith("HAVANA_"):
            hint = f"; did you mean {near}?" if near else ""
            raise ValueError(f"Unknown setting {variable} in the environment{hint} (see README.md, Configuration)")


def _one_edit_apart(a, b):
    """One letter inserted, removed, replaced, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))
