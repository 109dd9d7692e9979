"""The offline assistant on the shipped knowledge base and on another institution's, and its dialogue."""
import functools
import json
from datetime import date, time

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from assistant.knowledge import Knowledge, Lookup
from assistant.offline import NOTICE, TEXT, OfflineAssistant
from assistant.when import parse_date, parse_part_of_day, parse_time, slot_label
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


# -- the dialogue: intents before retrieval, state from the history, both languages ----------

class ScriptedKnowledge:
    """A knowledge base that answers one topic and records what it was asked."""

    def __init__(self, lang="en"):
        self.lang, self.asked = lang, []

    def lookup(self, question, previous=(), lang="en"):
        self.asked.append((question, list(previous), lang))
        if "tuition" in question.lower() or "matrícula" in question.lower():
            return Lookup("answer", "Undergraduate tuition is $12,000 per year.", ["Tuition and fees"], self.lang,
                          "tuition")
        return Lookup("unknown", "", [], self.lang, "")


def scripted(lang="en"):
    knowledge = ScriptedKnowledge(lang)
    return OfflineAssistant(knowledge=knowledge, institution="Havana University", today=lambda: MONDAY), knowledge


OFFERED = AIMessage("Here are the next free advisor call slots:\n• Tuesday 24 November: 09:00, 10:00, 14:00\n"
                    "• Friday 27 November: 10:00, 14:00\nWhich one suits you?")


def test_a_question_that_mentions_a_day_and_time_is_answered_not_booked():
    reply = ask(assistant(), "my flight lands Thursday at 3pm, how far is the campus from the airport?")
    assert "book_time_slot" not in [c["name"] for c in reply.tool_calls]


@pytest.mark.parametrize("text, expected", [
    ("the second one", {"date": "2026-11-24", "time": "10:00"}),
    ("the later one on Friday", {"date": "2026-11-27", "time": "14:00"}),
    ("la primera", {"date": "2026-11-24", "time": "09:00"}),
    ("el de las 10 del viernes", {"date": "2026-11-27", "time": "10:00"}),
])
def test_picking_an_offered_slot_books_it_instead_of_quoting_the_knowledge_base(text, expected):
    reply = ask(assistant(), text, [HumanMessage("book a call"), OFFERED])
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [("book_time_slot", expected)]


def test_afternoon_is_a_range_and_not_noon():
    assert parse_time("tomorrow afternoon") is None and parse_time("this afternoon") is None
    assert parse_part_of_day("tomorrow afternoon") == "afternoon"
    reply = ask(assistant(), "can I book a call tomorrow afternoon?")
    assert reply.tool_calls[0]["args"] == {"date": "2026-11-24", "part_of_day": "afternoon"}


@pytest.mark.parametrize("text, expected", [
    ("What time is my call?", "get_my_booking"), ("¿a qué hora es mi llamada?", "get_my_booking"),
    ("cancel my call", "cancel_my_booking"), ("cancela mi cita", "cancel_my_booking"),
])
def test_the_student_can_read_and_cancel_their_own_booking(text, expected):
    assert [c["name"] for c in ask(assistant(), text).tool_calls] == [expected]


def test_booking_notices_in_the_history_are_read():
    notice = SystemMessage(NOTICE + "Advisor call booked for Friday 27 November at 10:00.")
    history = [HumanMessage("friday at 10"), AIMessage("Done!"), notice]
    assert ask(assistant(), "cancel it", history).tool_calls[0]["name"] == "cancel_my_booking"
    moved = ask(assistant(), "can we make it 2pm instead?", history).tool_calls[0]
    assert (moved["name"], moved["args"]) == ("book_time_slot", {"date": "2026-11-27", "time": "14:00"})


@pytest.mark.parametrize("text, prefix", [
    ("I want to talk to a human", "Asked for a person: "), ("quiero hablar con alguien", "Asked for a person: "),
    ("this is useless", "Frustrated: "), ("esto no sirve", "Frustrated: "),
    ("What is the meaning of life?", "Not in the knowledge base: "),
])
def test_escalation_reasons_start_with_the_intent(text, prefix):
    bot, _ = scripted()
    reason = ask(bot, text).tool_calls[0]["args"]["reason"]
    assert reason == prefix + text


@pytest.mark.parametrize("text, lang, fragment", [
    ("hi", "en", "Hello!"), ("hola", "es", "¡Hola!"), ("thanks!", "en", "You're welcome"),
    ("muchas gracias", "es", "De nada"), ("that's all, see you", "en", "Good luck"), ("adiós", "es", "suerte"),
    ("who are you?", "en", "automated"), ("¿eres un robot?", "es", "automático"),
    ("how are you?", "en", "How can I help"),
])
def test_small_talk_gets_a_short_reply_in_the_students_language_never_a_quote_or_a_hand_off(text, lang, fragment):
    bot, knowledge = scripted()
    reply = ask(bot, text)
    assert not reply.tool_calls and fragment in reply.content
    assert knowledge.asked == []


def test_a_greeting_with_a_question_answers_the_question():
    bot, knowledge = scripted()
    reply = ask(bot, "Hi there! how much is tuition?")
    assert reply.content == "Hello! Undergraduate tuition is $12,000 per year."
    assert knowledge.asked == [("how much is tuition?", [], "en")]
    assert reply.additional_kwargs["sources"] == ["Tuition and fees"]


def test_the_students_earlier_questions_go_to_the_lookup_for_follow_ups():
    bot, knowledge = scripted()
    history = [HumanMessage("hi"), AIMessage("Hello!"), HumanMessage("How much is tuition?"),
               AIMessage("Undergraduate tuition is $12,000 per year."), HumanMessage("book a call"), OFFERED,
               HumanMessage("the first one"), AIMessage("Done!")]
    ask(bot, "and for the PhD?", history)
    assert knowledge.asked[-1] == ("and for the PhD?", ["How much is tuition?"], "en")


def test_an_english_passage_is_framed_for_a_spanish_question():
    bot, knowledge = scripted("en")
    reply = ask(bot, "¿Cuánto cuesta la matrícula?")
    assert reply.content.startswith("Según la información de admisiones (en inglés): Undergraduate tuition is "
                                    "$12,000 per year.\n\nSi algo no queda claro")
    assert knowledge.asked[-1][2] == "es"
    same, _ = scripted("es")
    assert not ask(same, "¿Cuánto cuesta la matrícula?").content.startswith("Según")


def test_slot_lists_and_confirmations_follow_the_students_language():
    bot, _ = scripted()
    slots = ToolMessage(json.dumps({"ok": True, "slots": [_slot("2026-11-24", "09:00"), _slot("2026-11-27", "14:00", 2)]}),
                        tool_call_id="1", name="get_booking_slots")
    text = bot.respond([HumanMessage("quiero reservar una llamada"), AIMessage(""), slots], TOOLS).content
    assert "• martes 24 de noviembre: 09:00" in text and "• viernes 27 de noviembre: 14:00" in text
    booked = ToolMessage(json.dumps({"ok": True, "booking": _slot("2026-11-27", "14:00")}), tool_call_id="2",
                         name="book_time_slot")
    text = bot.respond([HumanMessage("la segunda"), AIMessage(""), booked], TOOLS).content
    assert "viernes 27 de noviembre a las 14:00" in text and text.startswith("¡Listo!")


def test_own_booking_results_become_plain_answers_in_both_languages():
    bot, _ = scripted()
    mine = ToolMessage(json.dumps({"ok": True, "booking": _slot("2026-11-27", "14:00")}), tool_call_id="1",
                       name="get_my_booking")
    assert "Friday 27 November at 14:00" in bot.respond([HumanMessage("when is my call?"), mine], TOOLS).content
    none = ToolMessage(json.dumps({"ok": True, "booking": None}), tool_call_id="1", name="get_my_booking")
    assert "don't have" in bot.respond([HumanMessage("when is my call?"), none], TOOLS).content
    cancelled = ToolMessage(json.dumps({"ok": True, "cancelled": _slot("2026-11-27", "14:00")}), tool_call_id="1",
                            name="cancel_my_booking")
    text = bot.respond([HumanMessage("cancela mi cita"), cancelled], TOOLS).content
    assert text.startswith("He cancelado") and "viernes 27 de noviembre a las 14:00" in text


def test_a_time_that_is_not_free_is_explained_with_that_days_alternatives():
    bot, _ = scripted()
    failed = ToolMessage(json.dumps({"ok": False, "code": "no_match", "error": "No free slot matches.",
                                     "requested": {"date": "2026-11-26", "time": "15:00", "part_of_day": None},
                                     "alternatives": [_slot("2026-11-26", "14:00"), _slot("2026-11-26", "16:00", 2)]}),
                         tool_call_id="1", name="book_time_slot")
    text = bot.respond([HumanMessage("book thursday at 3pm"), failed], TOOLS).content
    assert text.startswith("Thursday 26 November at 15:00 is not free.")
    assert "• Thursday 26 November: 14:00, 16:00" in text


def test_no_free_slots_at_all_is_a_booking_problem_for_the_advisors():
    bot, _ = scripted()
    empty = ToolMessage(json.dumps({"ok": True, "slots": [], "more": 0}), tool_call_id="1", name="get_booking_slots")
    turn = [HumanMessage("book a call"), AIMessage(""), empty]
    reply = bot.respond(turn, TOOLS)
    assert reply.tool_calls[0]["args"]["reason"].startswith("Booking problem: ")
    escalated = ToolMessage(json.dumps({"ok": True, "advisors_available": False}), tool_call_id="2",
                            name="human_escalation")
    text = bot.respond([*turn, reply, escalated], TOOLS).content  # no second slot list, no loop
    assert text == "I'm sorry, there are no free advisor call slots right now. I've passed your chat to the " \
                   "admissions advisors, who will reply here."


def test_the_sources_are_streamed_with_the_answer():
    bot, _ = scripted()
    chunks = list(bot.stream([HumanMessage("how much is tuition?")]))
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged += chunk
    assert merged.content == "Undergraduate tuition is $12,000 per year."
    assert merged.additional_kwargs["sources"] == ["Tuition and fees"]


@pytest.mark.parametrize("text, day, hour", [
    ("mañana a las 10", date(2026, 11, 24), time(10)), ("el jueves por la tarde", date(2026, 11, 26), None),
    ("a las 4 de la tarde", None, time(16)), ("pasado mañana", date(2026, 11, 25), None),
    ("el lunes 7", date(2026, 12, 7), None), ("el 3 de diciembre a las 9", date(2026, 12, 3), time(9)),
    ("el viernes que viene a la 1", date(2026, 11, 27), time(13)), ("mañana por la mañana", date(2026, 11, 24), None),
    ("4 in the afternoon", None, time(16)), ("hoy a las 10 y media", MONDAY, time(10, 30)),
    ("fine, tuesday at 10 then", date(2026, 11, 24), time(10)),
])
def test_parses_spanish_and_english_dates_and_times(text, day, hour):
    assert parse_date(text, MONDAY) == day
    assert parse_time(text) == hour


def test_slot_labels_in_the_chats_language():
    assert slot_label(date(2026, 11, 24), time(9)) == "Tuesday 24 November at 09:00"
    assert slot_label(date(2026, 11, 24), time(9), "es") == "martes 24 de noviembre a las 09:00"


def test_the_question_is_looked_up_without_what_the_student_said_around_it():
    bot, knowledge = scripted()
    knowledge.lookup = lambda question, previous=(), lang="en": (
        knowledge.asked.append(question) or ScriptedKnowledge.lookup(knowledge, question, previous, lang)
        if question == "how much is tuition?" else Lookup("unknown", "", [], "en", ""))
    reply = ask(bot, "I arrive on Thursday at 3pm, how much is tuition?")
    assert reply.content == "Undergraduate tuition is $12,000 per year." and not reply.tool_calls


def test_a_question_the_knowledge_base_cannot_answer_says_so_before_handing_over():
    bot, _ = scripted()
    question = HumanMessage("¿Puedo llevar a mi gato a la residencia?")
    escalation = bot.respond([question], TOOLS)
    done = ToolMessage(json.dumps({"ok": True, "status": "waiting_human", "advisors_available": True}),
                       tool_call_id=escalation.tool_calls[0]["id"], name="human_escalation")
    text = bot.respond([question, escalation, done], TOOLS).content
    assert text.startswith("Lo siento, no tengo esa información. He pasado tu conversación a un asesor")


@pytest.mark.parametrize("lang, yes", [("en", "yes please"), ("es", "sí, por favor")])
def test_yes_to_finding_a_time_lists_the_free_slots(lang, yes):
    bot, _ = scripted()
    history = [HumanMessage("when is my call?" if lang == "en" else "¿cuándo es mi llamada?"),
               AIMessage(TEXT[lang]["none_mine"])]
    assert ask(bot, yes, history).tool_calls[0]["name"] == "get_booking_slots"
    assert not ask(bot, yes).tool_calls  # without the question, "yes" is small talk


def test_call_me_asks_for_an_advisor_call():
    assert ask(assistant(), "can you call me tomorrow at 10?").tool_calls[0]["args"] == \
        {"date": "2026-11-24", "time": "10:00"}
    assert ask(assistant(), "¿me pueden llamar?").tool_calls[0]["name"] == "get_booking_slots"


def test_a_fault_in_the_knowledge_base_hands_the_chat_over_instead_of_failing():
    bot, knowledge = scripted()

    def broken(question, previous=(), lang="en"):
        raise RuntimeError("index corrupted")
    knowledge.lookup = broken
    reply = ask(bot, "How much is tuition?")
    assert reply.tool_calls[0]["args"]["reason"] == "Not in the knowledge base: How much is tuition?"


def test_a_notice_stored_after_the_students_message_does_not_hide_the_question():
    reply = assistant().respond([HumanMessage("What is the tuition for graduate students?"),
                                 SystemMessage(NOTICE + "Welcome back! The conversation is open again.")], TOOLS)
    assert "$18,500" in reply.content
