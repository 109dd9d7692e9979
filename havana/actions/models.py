"""The active AI model, one for every chat and every process (the settings table)."""
import db
from db import settings as settings_db
from havana import broadcast
from havana.errors import ClientError
from havana.runtime import runtime

ACTIVE_MODEL_KEY = "active_model"


def model_state():
    """Every provider, whether it is configured (and why not), and which one is active."""
    active = active_model()
    return {"active": active, "providers": [
        {"name": pr.name, "label": pr.label, "configured": pr.configured, "reason": pr.reason,
         "active": pr.name == active} for pr in runtime.chatbot.providers.values()]}


def switch_model(name):
    """Switch the model for every chat's next reply, in every process; every advisor's page is told."""
    provider = runtime.chatbot.providers.get(name)
    if provider is None:
        raise ClientError("invalid_payload", "model must be one of: " + ", ".join(runtime.chatbot.providers))
    if not provider.configured:
        raise ClientError("not_configured", f"{provider.label} is not configured: {provider.reason}.")
    with db.transaction():
        settings_db.set_setting(ACTIVE_MODEL_KEY, name)
        state = model_state()
        broadcast.model_changed(state)
    return state


def active_model():
    return usable_model(settings_db.get_setting(ACTIVE_MODEL_KEY))


def usable_model(name):
    """The stored choice if that provider is configured here, else the default."""
    providers = runtime.chatbot.providers
    if name in providers and providers[name].configured:
        return name
    return runtime.chatbot.default_model
