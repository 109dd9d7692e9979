"""Contact details through the assistant: typed in the chat (English and Spanish) for the offline
assistant, and the save_contact_details tool through the OpenAI and Gemini protocols."""
import json

import pytest

from assistant.intents import contact_details
from assistant.tools import ContactRefused
from chatbot import Chatbot
from conftest import make_config
from test_chatbot import RecordingActions, ask, provider  # noqa: F401  (the fixture)
from fake_providers import text, tool_call, tool_results


class ContactActions(RecordingActions):
    """RecordingActions that also keep the saved contact; a held booking is confirmed by it."""

    def __init__(self):
        super().__init__()
        self.contacts = []

    def save_contact(self, chat_id, name, email, phone, method):
        if "@" not in email or email.endswith("@"):
            raise ContactRefused("invalid_contact", "That e-mail address doesn't look right.")
        self.contacts.append({"name": name, "email": email, "phone": phone, "method": method})
        booking = self.my_booking(chat_id)
        return {"contact": {"name": name, "email": email.lower(), "phone": phone, "method": method},
                "booking": booking and {"id": booking["id"], "date": booking["date"].isoformat(),
                                        "time": booking["time"].strftime("%H:%M"), "label": "x", "confirmed": True}}


@pytest.mark.parametrize("typed, expected", [
    ("I'm Ana Pérez, ana@example.com, +53 5 123 4567",
     {"name": "Ana Pérez", "email": "ana@example.com", "phone": "+53 5 123 4567", "method": None}),
    ("My name is John Smith and my email is john.smith@uni.edu, call me on WhatsApp: +1 415 555 2671",
     {"name": "John Smith", "email": "john.smith@uni.edu", "phone": "+1 415 555 2671", "method": "whatsapp"}),
    ("me llamo Ana, mi correo es ana@example.com y prefiero videollamada",
     {"name": "Ana", "email": "ana@example.com", "phone": None, "method": "video"}),
    ("Soy María José García, maria.garcia@correo.cu, mi whatsapp es +53 5 234 5678",
     {"name": "María José García", "email": "maria.garcia@correo.cu", "phone": "+53 5 234 5678",
      "method": "whatsapp"}),
    ("Luis Gómez, luis@example.org", {"name": "Luis Gómez", "email": "luis@example.org", "phone": None,
                                      "method": None}),
    ("soy de Cuba, mi correo es luis@example.org", {"name": None, "email": "luis@example.org", "phone": None,
                                                    "method": None}),
])
def test_details_typed_in_the_chat_are_read_in_english_and_spanish(typed, expected):
    assert contact_details(typed) == expected


@pytest.mark.parametrize("message", ["What is the tuition for graduate students?", "I'm from Brazil",
                                     "soy estudiante de Cuba", "call me tomorrow at 10"])
def test_messages_without_an_email_are_not_contact_details(message):
    assert contact_details(message) is None


@pytest.mark.parametrize("first, typed, lang_word", [
    ("Can I book a call with an advisor?", "I'm Ana Pérez, ana@example.com, +53 5 123 4567", "Thank you, Ana Pérez!"),
    ("¿Puedo reservar una llamada con un asesor?", "Me llamo Ana Pérez, mi correo es ana@example.com",
     "¡Gracias, Ana Pérez!"),
])
def test_the_offline_assistant_saves_typed_details_and_confirms_the_held_call(first, typed, lang_word):
    bot, actions = Chatbot(make_config("sqlite://")), ContactActions()
    actions.bookings.append(("chat-1", 1))
    history = [{"role": "human", "message": first}, {"role": "ai", "message": "..."},
               {"role": "human", "message": typed}]
    reply = bot.reply("chat-1", history, "local", actions)
    assert actions.contacts[0]["email"] == "ana@example.com" and actions.contacts[0]["name"] == "Ana Pérez"
    assert reply.text.startswith(lang_word) and "ana@example.com" in reply.text


def test_the_offline_assistant_asks_for_the_name_when_only_an_email_is_typed():
    bot, actions = Chatbot(make_config("sqlite://")), ContactActions()
    reply = bot.reply("chat-1", [{"role": "human", "message": "my email is ana@example.com"}], "local", actions)
    assert actions.contacts == [] and "name" in reply.text


def test_the_offline_assistant_shows_the_servers_error_for_bad_details():
    bot, actions = Chatbot(make_config("sqlite://")), ContactActions()
    actions.save_contact = lambda *a: (_ for _ in ()).throw(
        ContactRefused("invalid_contact", "Please write the phone number in international form."))
    reply = bot.reply("chat-1", [{"role": "human", "message": "I'm Ana, ana@example.com, +53 123"}], "local",
                      actions)
    assert reply.text == "Please write the phone number in international form."


def _content(result):
    """A tool result as the client sent it back (OpenAI: a JSON string; Gemini: a dict)."""
    if isinstance(result, dict):
        inner = result.get("response", result)
        inner = inner.get("output", inner.get("content", inner)) if isinstance(inner, dict) else inner
        return json.loads(inner) if isinstance(inner, str) else inner
    return json.loads(result)


def test_real_models_save_contact_details_through_the_tool(provider):  # noqa: F811
    name, server, bot = provider
    actions = ContactActions()
    server.queue(tool_call("save_contact_details", {"name": "Ana Pérez", "email": "ana@example.com",
                                                    "phone": "+53 5 123 4567", "method": "phone"}),
                 text("Thanks, Ana! Your details are saved."))
    reply = ask(bot, name, "I'm Ana Pérez, ana@example.com, +53 5 123 4567, call me by phone", actions)
    assert actions.contacts == [{"name": "Ana Pérez", "email": "ana@example.com", "phone": "+53 5 123 4567",
                                 "method": "phone"}]
    assert reply.text == "Thanks, Ana! Your details are saved."
    assert _content(tool_results(server.requests[1])[0])["ok"] is True


def test_real_models_bad_contact_arguments_are_refused_and_the_model_is_told(provider):  # noqa: F811
    name, server, bot = provider
    actions = ContactActions()
    server.queue(tool_call("save_contact_details", {"name": "Ana", "email": "ana@", "method": "carrier pigeon"}),
                 text("Could you check your e-mail?"))
    reply = ask(bot, name, "I'm Ana, ana@", actions)
    assert actions.contacts == [] and reply.text == "Could you check your e-mail?"
    assert "'phone', 'whatsapp' or 'video'" in json.dumps(tool_results(server.requests[1]))
