"""The configuration class: typed, validated at start, and a misspelt setting refused instead of ignored."""
import pytest
from pydantic import ValidationError

from havana.config import Config


def test_values_are_read_typed_from_the_environment(monkeypatch):
    monkeypatch.setenv("HAVANA_ENV", "production")
    monkeypatch.setenv("SLOT_TIMES", "09:00, 13:30")
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://a.example,https://b.example")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("AI_TIMEOUT", "12.5")
    monkeypatch.setenv("OPENAI_API_KEY", "")  # empty counts as unset
    config = Config()
    assert config.is_production and config.AUTO_MIGRATE is False
    assert config.SLOT_TIMES == ["09:00", "13:30"] and config.ALLOWED_ORIGINS == ["https://a.example", "https://b.example"]
    assert config.SOCKETIO_MESSAGE_QUEUE == "redis://127.0.0.1:6379/0" and config.AI_TIMEOUT == 12.5
    assert config.OPENAI_API_KEY is None


@pytest.mark.parametrize("variable, value", [
    ("PORT", "eighty"), ("PORT", "70000"), ("DB_POOL_SIZE", "0"), ("HAVANA_ENV", "prod"),
    ("RATE_MESSAGES_PER_CHAT", "lots"), ("TIMEZONE", "Mars/Olympus"), ("BUSINESS_HOURS", "weekdays"),
    ("SLOT_TIMES", "9am"), ("ACCESS_LOG", "sometimes"),
])
def test_a_bad_value_stops_the_start_naming_the_setting(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError, match=variable.replace("HAVANA_", "")):
        Config()


@pytest.mark.parametrize("variable, hint", [("AI_TIMEOT", "did you mean AI_TIMEOUT"),
                                            ("DATABASE_ULR", "did you mean DATABASE_URL"),
                                            ("HAVANA_ENVIRONMENT", "HAVANA_ENVIRONMENT")])
def test_a_misspelt_variable_is_refused_instead_of_ignored(monkeypatch, variable, hint):
    monkeypatch.setenv(variable, "1")
    with pytest.raises(ValueError, match=hint):
        Config()


def test_an_unknown_override_is_refused():
    with pytest.raises(ValidationError, match="DATABSE_URL"):
        Config(DATABSE_URL="sqlite://")
