"""The agent through the real provider clients, over HTTP, against local OpenAI and Gemini servers."""
import json
from datetime import date, time, timedelta

import pytest

from assistant.tools import SlotTaken
from chatbot import Chatbot, institution_from_title
from conftest import make_config
from assistant.prompt import cited_sections
from fake_providers import (FakeGeminiServer, FakeOpenAIServer, error, garbage, sleep, system_text, text, tool_call,
                            tool_names, tool_results)

TOMORROW = date.today() + timedelta(days=1)


class RecordingActions:
    """In-memory slots and a record of what the tools did."""

    def __init__(self):
        self.slots = [{"id": i + 1, "date": TOMORROW + timedelta(days=i // 3), "time": time(h)}
                      for i, h in enumerate([9, 10, 14] * 3)]
        self.escalations, self.bookings = [], []

    def escalate(self, chat_id, reason):
        self.escalations.append((chat_id, reason))
        return {"status": "waiting_human"}

    def free_slots(self):
        return [s for s in self.slots if s["id"] not in [b for _, b in self.bookings]]

    def book(self, chat_id, slot_id):
        if slot_id in [b for _, b in self.bookings]:
            raise SlotTaken(slot_id)
        self.bookings.append((chat_id, slot_id))
        return next(s for s in self.slots if s["id"] == slot_id)

    def my_booking(self, chat_id):
        held = [slot_id for chat, slot_id in self.bookings if chat == chat_id]
        return next(s for s in self.slots if s["id"] == held[-1]) if held else None

    def cancel_my_booking(self, chat_id):
        booking = self.my_booking(chat_id)
        self.bookings = [b for b in self.bookings if b[0] != chat_id]
        return booking

    def today(self):
        return date.today()


@pytest.fixture(params=["openai", "gemini"])
def provider(request):
    """(name, fake server, a Chatbot whose active provider talks to it)."""
    server = (FakeOpenAIServer if request.param == "openai" else FakeGeminiServer)().start()
    settings = {"openai": {"OPENAI_API_KEY": "test", "OPENAI_BASE_URL": server.base_url},
                "gemini": {"GOOGLE_API_KEY": "test", "GEMINI_BASE_URL": server.base_url}}[request.param]
    config = make_config("sqlite://", AI_MAX_RETRIES=0, AI_TIMEOUT=2, **settings)
    yield request.param, server, Chatbot(config)
    server.stop()


def ask(bot, name, question, actions=None, history=()):
    rows = [*history, {"role": "human", "message": question}]
    return bot.reply("chat-1", rows, name, actions or RecordingActions())


def test_plain_answer_records_the_model(provider):
    name, server, bot = provider
    server.queue(text("Graduate tuition is $18,500 per year."))
    reply = ask(bot, name, "What is the tuition for graduate students?")
    assert reply.text == "Graduate tuition is $18,500 per year."
    assert reply.model == {"openai": "openai:gpt-4o", "gemini": "gemini:gemini-2.5-pro"}[name]
    # The knowledge base travels in the system prompt.
    assert "Graduate tuition is $18,500 per year for international students" in json.dumps(server.requests[0])
    assert {"human_escalation", "get_booking_slots", "book_time_slot", "get_my_booking",
            "cancel_my_booking"} <= set(_declared(server))
    assert reply.sources == []  # the answer cites no section


def _declared(server):
    from fake_providers import tool_names
    return tool_names(server.requests[0])


def test_escalation_tool_hands_the_chat_over(provider):
    name, server, bot = provider
    actions = RecordingActions()
    server.queue(tool_call("human_escalation", {"reason": "Asks about a visa appeal"}),
                 text("I've asked an advisor to join."))
    reply = ask(bot, name, "My visa was refused, what now?", actions)
    assert actions.escalations == [("chat-1", "Asks about a visa appeal")]
    assert reply.text == "I've asked an advisor to join."
    assert json.loads(_result(tool_results(server.requests[1])[0]))["ok"] is True


def _result(result):
    """Tool result content as the client sent it back (OpenAI: a string; Gemini: a dict)."""
    if isinstance(result, str):
        return result
    response = result["response"]
    return response.get("output") or response.get("result") or json.dumps(response)


def test_slot_listing_returns_real_free_slots(provider):
    name, server, bot = provider
    server.queue(tool_call("get_booking_slots", {}), text("Here are some slots."))
    ask(bot, name, "When can I talk to an advisor?")
    listed = json.loads(_result(tool_results(server.requests[1])[0]))
    assert [s["slot_id"] for s in listed["slots"]] == list(range(1, 10))
    assert listed["slots"][0]["date"] == TOMORROW.isoformat() and listed["slots"][0]["time"] == "09:00"


def test_booking_by_slot_id(provider):
    name, server, bot = provider
    actions = RecordingActions()
    server.queue(tool_call("book_time_slot", {"slot_id": 2}), text("Booked."))
    ask(bot, name, "Slot 2 please", actions)
    assert actions.bookings == [("chat-1", 2)]
    assert json.loads(_result(tool_results(server.requests[1])[0]))["booking"]["time"] == "10:00"


def test_booking_by_natural_language_resolves_against_free_slots(provider):
    name, server, bot = provider
    actions = RecordingActions()
    server.queue(tool_call("book_time_slot", {"date": "tomorrow", "time": "2pm"}), text("Booked."))
    ask(bot, name, "Tomorrow at 2pm", actions)
    assert actions.bookings == [("chat-1", 3)]


def test_an_ambiguous_time_asks_which_slot_instead_of_booking(provider):
    name, server, bot = provider
    actions = RecordingActions()
    server.queue(tool_call("book_time_slot", {"time": "9am"}), text("Which day?"))
    ask(bot, name, "9am", actions)
    assert actions.bookings == []
    result = json.loads(_result(tool_results(server.requests[1])[0]))
    assert result["ok"] is False and len(result["candidates"]) == 3


@pytest.mark.parametrize("bad_args", [{"slot_id": -5}, {"slot_id": "seven"}, {}, {"date": "x" * 500}])
def test_invalid_tool_arguments_are_refused_and_the_model_is_told(provider, bad_args):
    name, server, bot = provider
    actions = RecordingActions()
    server.queue(tool_call("book_time_slot", bad_args), text("Sorry, which slot?"))
    reply = ask(bot, name, "book it", actions)
    assert actions.bookings == [] and reply.text == "Sorry, which slot?"
    result = json.loads(_result(tool_results(server.requests[1])[0]))
    assert result["ok"] is False and "Invalid arguments" in result["error"]


def test_unparseable_tool_arguments_and_unknown_tools_do_not_crash():
    # Only OpenAI sends arguments as a JSON string that can be broken; Gemini sends an object.
    with FakeOpenAIServer() as server:
        bot = Chatbot(make_config("sqlite://", AI_MAX_RETRIES=0, OPENAI_API_KEY="k", OPENAI_BASE_URL=server.base_url))
        actions = RecordingActions()
        server.queue(tool_call("book_time_slot", '{"slot_id": 3'), tool_call("delete_everything", {}), text("Ok."))
        assert ask(bot, "openai", "book", actions).text == "Ok."
        assert actions.bookings == []
        results = [json.loads(r) for r in tool_results(server.requests[-1])]
        assert [r["ok"] for r in results] == [False, False]


def test_the_model_never_chooses_the_chat(provider):
    name, server, bot = provider
    actions = RecordingActions()
    server.queue(tool_call("book_time_slot", {"slot_id": 1, "chat_id": "someone-else"}), text("Done."))
    ask(bot, name, "book slot 1 for chat someone-else", actions)
    assert actions.bookings == [("chat-1", 1)]


@pytest.mark.parametrize("fault", [error(500), error(429), garbage(), sleep(3, text("too late"))],
                         ids=["500", "429", "garbage", "timeout"])
def test_provider_faults_fall_back_to_the_offline_assistant(provider, fault):
    name, server, bot = provider
    server.queue(fault)
    reply = ask(bot, name, "What is the tuition for graduate students?")
    assert reply.model == "local" and "$18,500" in reply.text and reply.sources == ["Tuition and fees"]
    assert [(c.model.split(":")[0], c.ok) for c in reply.calls] == [(name, False), ("local", True)]
    assert reply.calls[0].error


def test_fallback_goes_to_the_next_configured_provider_first():
    with FakeOpenAIServer() as openai, FakeGeminiServer() as gemini:
        openai.queue(error(503))
        gemini.queue(text("From Gemini."))
        bot = Chatbot(make_config("sqlite://", AI_MAX_RETRIES=0, AI_TIMEOUT=2, OPENAI_API_KEY="k",
                                  OPENAI_BASE_URL=openai.base_url, GOOGLE_API_KEY="k",
                                  GEMINI_BASE_URL=gemini.base_url))
        assert bot.default_model == "openai"
        reply = ask(bot, "openai", "Hi")
        assert (reply.text, reply.model) == ("From Gemini.", "gemini:gemini-2.5-pro")


def test_without_keys_the_offline_assistant_is_the_default():
    bot = Chatbot(make_config("sqlite://"))
    assert bot.default_model == "local"
    assert [p.configured for p in bot.providers.values()] == [False, False, True]


def test_the_model_reads_the_students_booking(provider):
    name, server, bot = provider
    actions = RecordingActions()
    actions.bookings.append(("chat-1", 2))
    server.queue(tool_call("get_my_booking", {}), text("Your call is tomorrow at 10:00."))
    reply = ask(bot, name, "When is my call?", actions)
    assert reply.text == "Your call is tomorrow at 10:00."
    booking = json.loads(_result(tool_results(server.requests[1])[0]))["booking"]
    assert (booking["slot_id"], booking["time"]) == (2, "10:00")


def test_the_model_cancels_the_students_booking(provider):
    name, server, bot = provider
    actions = RecordingActions()
    actions.bookings.append(("chat-1", 3))
    server.queue(tool_call("cancel_my_booking", {}), text("Cancelled."))
    ask(bot, name, "Please cancel my call", actions)
    assert actions.bookings == []
    assert json.loads(_result(tool_results(server.requests[1])[0]))["cancelled"]["slot_id"] == 3


def test_a_large_knowledge_base_sends_the_matching_sections_and_the_answer_names_its_source(provider):
    name, server, bot = provider
    bot.prompt_max_bytes = 2500
    server.queue(text("Graduate tuition is $18,500 per year.\nSource: Tuition and fees"))
    reply = ask(bot, name, "What is the tuition for graduate students?")
    prompt = system_text(server.requests[0])
    assert "## Tuition and fees" in prompt and "Graduate tuition is $18,500 per year" in prompt
    assert len(bot.knowledge.text_for("en").encode()) > 5000 > len(prompt.encode())
    assert "only the passages that best match" in prompt and 'end it with one line "Source: "' in prompt
    assert (reply.text, reply.sources) == ("Graduate tuition is $18,500 per year.", ["Tuition and fees"])


def test_the_prompt_tells_the_model_the_students_language(provider):
    name, server, bot = provider
    server.queue(text("La matrícula de grado cuesta 12.000 dólares al año."))
    ask(bot, name, "¿Cuánto cuesta la matrícula de grado?")
    assert "The student writes in Spanish: reply in Spanish" in system_text(server.requests[0])
    assert bot.reply("chat-1", [{"role": "human", "message": "¿Hay becas?"}], "local", RecordingActions()).lang == "es"


def test_booking_notices_in_the_history_reach_the_model(provider):
    name, server, bot = provider
    server.queue(text("Your call is on Friday at 10:00."))
    history = [{"role": "human", "message": "book friday 10am"}, {"role": "ai", "message": "Done!"},
               {"role": "system", "message": "Advisor call booked for Friday 27 November at 10:00."}]
    ask(bot, name, "when is it again?", history=history)
    sent = json.dumps(server.requests[0], ensure_ascii=False)
    assert "Notice shown in the chat: Advisor call booked for Friday 27 November at 10:00." in sent


@pytest.mark.parametrize("answer, expected", [
    ("Fees are $75.\nSource: Application process and deadlines", ("Fees are $75.", ["Application process and deadlines"])),
    ("Fees are $75. (Sources: Tuition and fees · Scholarships and financial aid)",
     ("Fees are $75.", ["Tuition and fees", "Scholarships and financial aid"])),
    ("Fees are $75.\nSource: the brochure", ("Fees are $75.\nSource: the brochure", [])),
    ("Fees are $75.", ("Fees are $75.", [])),
])
def test_only_sections_the_prompt_carried_count_as_sources(answer, expected):
    knowledge = "## Tuition and fees\n...\n## Scholarships and financial aid\n...\n## Application process and deadlines\n..."
    assert cited_sections(answer, knowledge) == expected


class Collect:
    """A stream sink: the deltas a page would show."""

    def __init__(self):
        self.text = ""

    def delta(self, text):
        self.text += text

    def reset(self):
        self.text = ""


def test_streamed_tool_calls_and_a_cited_answer(provider):
    name, server, bot = provider
    actions = RecordingActions()
    actions.bookings.append(("chat-1", 4))
    server.queue(tool_call("get_my_booking", {}), text("Your call is booked.\nSource: Tuition and fees"))
    sink = Collect()
    reply = bot.reply("chat-1", [{"role": "human", "message": "when is my call?"}], name, actions, sink)
    assert json.loads(_result(tool_results(server.requests[1])[0]))["booking"]["slot_id"] == 4
    assert sink.text == "Your call is booked.\nSource: Tuition and fees"
    assert (reply.text, reply.sources) == ("Your call is booked.", ["Tuition and fees"])


def test_the_offline_assistant_streams_its_sources_into_the_reply():
    bot = Chatbot(make_config("sqlite://"))
    sink = Collect()
    reply = bot.reply("chat-1", [{"role": "human", "message": "What is the tuition for graduate students?"}], "local",
                      RecordingActions(), sink)
    assert "$18,500" in reply.text and sink.text == reply.text and reply.sources == ["Tuition and fees"]


@pytest.mark.parametrize("first, pick, slot_id", [
    ("I'd like to book a call", "the second one", 2), ("quiero reservar una llamada", "la primera", 1),
    # A weekday, not "tomorrow": the chatbot's today is the university's (America/Havana), not this machine's.
    ("can I book a call?", f"the later one on {TOMORROW:%A}", 3),
])
def test_the_offline_assistant_books_the_slot_picked_from_its_list(first, pick, slot_id):
    bot, actions = Chatbot(make_config("sqlite://")), RecordingActions()
    history = [{"role": "human", "message": first}]
    listed = bot.reply("chat-1", history, "local", actions)
    history += [{"role": "ai", "message": listed.text}, {"role": "human", "message": pick}]
    booked = bot.reply("chat-1", history, "local", actions)
    assert actions.bookings == [("chat-1", slot_id)]
    assert booked.text.startswith(("Done!", "¡Listo!"))


def test_a_language_set_for_the_chat_wins_over_detection(provider):
    name, server, bot = provider
    server.queue(text("Hola."))
    bot.reply("chat-1", [{"role": "human", "message": "MBA fees?"}], name, RecordingActions(), lang="es")
    assert "The student writes in Spanish" in system_text(server.requests[0])
    offline = Chatbot(make_config("sqlite://"))
    reply = offline.reply("chat-1", [{"role": "human", "message": "hi"}], "local", RecordingActions(), lang="es")
    assert reply.text.startswith("¡Hola!")
    streamed = offline.reply("chat-1", [{"role": "human", "message": "hi"}], "local", RecordingActions(), Collect(),
                             lang="es")
    assert streamed.text.startswith("¡Hola!")


@pytest.mark.parametrize("title, name", [
    ("# Havana University - Admissions Knowledge Base", "Havana University"),
    ("# Lakeshore Polytechnic — Future Students Guide 2026/27", "Lakeshore Polytechnic"),
    ("# Universidad del Sur: Guía de admisiones", "Universidad del Sur"),
    ("Admissions facts without a heading", "the university"),
])
def test_the_institution_is_named_by_the_knowledge_bases_title_unless_configured(title, name):
    assert institution_from_title(title + "\n\nSome text.") == name


def test_the_language_model_is_loaded_when_the_assistant_starts_not_in_the_first_reply():
    """Loading it takes about a second of CPU: inside a reply it would stall every connection of the process."""
    from assistant import language
    language._identifier.cache_clear()
    Chatbot(make_config("sqlite://"))
    assert language._identifier.cache_info().currsize == 1


def test_openai_messages_and_tools_reach_the_model_without_the_sdks_per_call_transform(monkeypatch):
    """The SDK's maybe_transform walked every message and tool schema on each call: a fifth of a reply's CPU."""
    import openai.resources.chat.completions.completions as completions
    walked = []
    transform = completions.maybe_transform
    monkeypatch.setattr(completions, "maybe_transform", lambda data, kind: walked.append(data) or transform(data, kind))
    with FakeOpenAIServer() as server:
        bot = Chatbot(make_config("sqlite://", AI_MAX_RETRIES=0, OPENAI_API_KEY="k", OPENAI_BASE_URL=server.base_url))
        server.queue(tool_call("get_booking_slots", {}), text("Here are the slots."))
        assert ask(bot, "openai", "any slots?").text == "Here are the slots."
    assert walked and all(d["messages"] == [] and not isinstance(d["tools"], list) for d in walked)
    first, second = server.requests
    assert [m["role"] for m in first["messages"]] == ["system", "user"] and first["stream"] is False
    assert [m["role"] for m in second["messages"]] == ["system", "user", "assistant", "tool"]
    assert second["messages"][2]["tool_calls"][0]["function"]["name"] == "get_booking_slots"
    assert len(_declared(server)) == 6 and first["temperature"] == 0.2


def test_streamed_openai_replies_reuse_one_connection():
    """The SDK closed each stream before its end arrived, so every model call opened a new connection."""
    with FakeOpenAIServer() as server:
        bot = Chatbot(make_config("sqlite://", AI_MAX_RETRIES=0, OPENAI_API_KEY="k", OPENAI_BASE_URL=server.base_url))
        server.queue(tool_call("get_booking_slots", {}), text("Here are the slots."), text("Bye."))
        for question, answer in (("slots?", "Here are the slots."), ("bye", "Bye.")):
            sink = Collect()
            reply = bot.reply("chat-1", [{"role": "human", "message": question}], "openai", RecordingActions(), sink)
            assert reply.text == sink.text == answer
    assert len(server.peers) == 3 and len(set(server.peers)) == 1


def test_streamed_openai_chunks_reach_langchain_as_dicts_not_sdk_models(monkeypatch):
    """LangChain dumps each chunk model straight back to a dict; building it cost more than the rest of a token."""
    import openai._base_client as base_client
    built = []
    construct = base_client.construct_type
    monkeypatch.setattr(base_client, "construct_type", lambda **kw: built.append(kw["type_"]) or construct(**kw))
    with FakeOpenAIServer() as server:
        bot = Chatbot(make_config("sqlite://", AI_MAX_RETRIES=0, OPENAI_API_KEY="k", OPENAI_BASE_URL=server.base_url))
        server.queue(tool_call("get_my_booking", {}), text("You have no call booked."))
        sink = Collect()
        reply = bot.reply("chat-1", [{"role": "human", "message": "my call?"}], "openai", RecordingActions(), sink)
    assert reply.text == sink.text == "You have no call booked."
    assert json.loads(_result(tool_results(server.requests[1])[0])) == {"ok": True, "booking": None}
    assert built == []


def test_gemini_tool_declarations_are_built_once_not_per_call(monkeypatch):
    """LangChain converted the bound OpenAI schemas to Gemini declarations on every call."""
    import langchain_google_genai.chat_models as gemini_models
    from google.genai.types import Tool
    with FakeGeminiServer() as server:
        bot = Chatbot(make_config("sqlite://", AI_MAX_RETRIES=0, GOOGLE_API_KEY="k", GEMINI_BASE_URL=server.base_url))
        converted = []
        convert = gemini_models.convert_to_genai_function_declarations
        monkeypatch.setattr(gemini_models, "convert_to_genai_function_declarations",
                            lambda tools: converted.append(tools) or convert(tools))
        server.queue(tool_call("get_my_booking", {}), text("You have no call booked."))
        assert ask(bot, "gemini", "my call?").text == "You have no call booked."
    assert converted and all(isinstance(t, Tool) for tools in converted for t in tools)  # passed through as built
    assert all(sorted(tool_names(r)) == sorted(_declared(server)) and len(tool_names(r)) == 6 for r in server.requests)
