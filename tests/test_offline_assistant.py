"""The offline assistant on the shipped knowledge base and on another institution's."""
import functools
import json
from datetime import date, time

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from assistant.knowledge import Knowledge
from assistant.offline import OfflineAssistant
from assistant.when import parse_date, parse_time
from conftest import ROOT

QUESTIONS = json.loads((ROOT / "tests/data/kb_questions.json").read_text())
KNOWLEDGE = {"havana": ROOT / "school_data.txt", "northwind": ROOT / "tests/data/northwind_kb.txt"}
TOOLS = {"human_escalation", "get_booking_slots", "book_time_slot", "get_my_booking", "cancel_my_booking"}
MONDAY = date(2026, 11, 23)


@functools.lru_cache(maxsize=None)
def _knowledge(kb):
    return Knowledge.from_path(KNOWLEDGE[kb])


def assistant(kb="havana"):
    return OfflineAssistant(knowledge=_knowledge(kb), today=lambda: MONDAY)


def ask(bot, text, history=()):
    return bot.respond([*history, HumanMessage(text)], TOOLS)


@pytest.mark.parametrize("kb, case", [(kb, q) for kb in KNOWLEDGE for q in QUESTIONS[kb]],
                         ids=lambda v: v if isinstance(v, str) else v["question"][:40])
def test_answers_paraphrased_questions_from_the_knowledge_base(kb, case):
    reply = ask(assistant(kb), case["question"])
    assert not reply.tool_calls
    assert case["must_contain"] in reply.content


@pytest.mark.parametrize("kb", KNOWLEDGE)
@pytest.mark.parametrize("question", QUESTIONS["off_topic"])
def test_escalates_questions_the_knowledge_base_does_not_cover(kb, question):
    reply = ask(assistant(kb), question)
    assert [c["name"] for c in reply.tool_calls] == ["human_escalation"]
    assert question[:50] in reply.tool_calls[0]["args"]["reason"]


def test_graduate_tuition_figure():
    assert "$18,500" in ask(assistant(), "What is the tuition for graduate students?").content


@pytest.mark.parametrize("text", ["I want to talk to a human", "Can I speak to a real person?",
                                  "connect me with an advisor please", "human please", "operator"])
def test_escalates_at_once_when_a_person_is_asked_for(text):
    reply = ask(assistant(), text)
    assert reply.tool_calls[0]["name"] == "human_escalation"


@pytest.mark.parametrize("text", ["Book a call with an advisor", "I'd like to schedule an appointment",
                                  "What slots are available?"])
def test_booking_intent_without_a_time_lists_slots(text):
    assert ask(assistant(), text).tool_calls[0]["name"] == "get_booking_slots"


def test_booking_with_a_time_calls_the_booking_tool_with_iso_values():
    reply = ask(assistant(), "Please book me a call next Tuesday at 2pm")
    call = reply.tool_calls[0]
    assert call["name"] == "book_time_slot"
    assert call["args"] == {"date": "2026-11-24", "time": "14:00"}


def test_a_time_after_slots_were_offered_books_it():
    offered = AIMessage("Here are the next free advisor call slots:\n• Tuesday 24 November: 09:00")
    reply = ask(assistant(), "9am on the 24th", [HumanMessage("book a call"), offered])
    assert reply.tool_calls[0]["args"] == {"date": "2026-11-24", "time": "09:00"}


def _slot(day, hour, slot_id=1):
    """A slot as the tools return it (assistant.tools.slot_view)."""
    return {"slot_id": slot_id, "date": day, "time": hour, "label": "unused"}


def test_tool_results_become_plain_answers():
    bot = assistant()
    booked = ToolMessage(json.dumps({"ok": True, "booking": _slot("2026-11-24", "09:00")}),
                         tool_call_id="1", name="book_time_slot")
    assert "Tuesday 24 November at 09:00" in bot.respond([HumanMessage("x"), booked], TOOLS).content
    taken = ToolMessage(json.dumps({"ok": False, "code": "taken", "error": "That slot has just been taken by someone else.",
                                    "alternatives": [_slot("2026-11-24", "10:00", 2)]}),
                        tool_call_id="2", name="book_time_slot")
    text = bot.respond([HumanMessage("x"), taken], TOOLS).content
    assert "taken" in text and "10:00" in text


def test_streams_the_same_answer_it_generates():
    bot = assistant()
    messages = [HumanMessage("What is the tuition for graduate students?")]
    streamed = "".join(chunk.content for chunk in bot.stream(messages))
    assert streamed == bot.invoke(messages).content


@pytest.mark.parametrize("text, expected", [
    ("9am", time(9)), ("2pm", time(14)), ("2 p.m.", time(14)), ("14:00", time(14)), ("at 3", time(15)),
    ("at 10", time(10)), ("noon", time(12)), ("10:30am", time(10, 30)), ("the 10th", None),
])
def test_parses_times_as_students_write_them(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("tomorrow", date(2026, 11, 24)), ("next Tuesday", date(2026, 11, 24)), ("on friday", date(2026, 11, 27)),
    ("next monday", date(2026, 11, 30)), ("the 10th", date(2026, 12, 10)), ("on the 25th", date(2026, 11, 25)),
    ("December 3", date(2026, 12, 3)), ("3 December", date(2026, 12, 3)), ("2026-11-26", date(2026, 11, 26)),
    ("today", MONDAY), ("whenever", None),
])
def test_parses_dates_against_today(text, expected):
    assert parse_date(text, MONDAY) == expected


def test_asking_for_a_person_wins_over_booking_words():
    reply = ask(assistant(), "My visa appointment is by December 10 and I'm worried. Can I talk to a human?")
    assert reply.tool_calls[0]["name"] == "human_escalation"


def test_with_no_advisor_available_the_assistant_offers_slots_after_escalating():
    bot = assistant()
    escalated = ToolMessage(json.dumps({"ok": True, "advisors_available": False}), tool_call_id="1",
                            name="human_escalation")
    follow_up = bot.respond([HumanMessage("human please"), AIMessage(""), escalated], TOOLS)
    assert follow_up.tool_calls[0]["name"] == "get_booking_slots"
    slots = ToolMessage(json.dumps({"ok": True, "slots": [_slot("2026-11-24", "09:00")]}),
                        tool_call_id="2", name="get_booking_slots")
    text = bot.respond([HumanMessage("human please"), AIMessage(""), escalated, follow_up, slots], TOOLS).content
    assert text.startswith("No advisor is available") and "09:00" in text
