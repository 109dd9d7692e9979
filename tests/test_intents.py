"""Each intent the offline assistant reads before retrieval, in English and Spanish."""
from datetime import date, time

import pytest

from assistant.intents import (booking_request, offered_slots, own_booking, pick_offered, question_clause, small_talk,
                               wants_person)

MONDAY = date(2026, 11, 23)
TUESDAY, FRIDAY = date(2026, 11, 24), date(2026, 11, 27)
OFFERED = [(TUESDAY, time(9)), (TUESDAY, time(10)), (FRIDAY, time(10)), (FRIDAY, time(14))]


@pytest.mark.parametrize("text", [
    "I want to talk to a human", "Can I speak to a real person?", "connect me with an advisor please",
    "human please", "operator", "agent", "is anyone there?", "Is there a person I can talk to about my application?",
    "can an advisor chat with me now?", "I'd like to speak with someone from admissions",
    "quiero hablar con alguien", "¿Puedo hablar con una persona?", "me pasas con un asesor?", "¿hay alguien ahí?",
    "un asesor por favor", "necesito hablar con un humano", "transfer me please", "can I talk to admissions?",
    "quiero hablar con admisiones",
])
def test_a_request_for_a_person_is_recognised(text):
    assert wants_person(text) == "person"


@pytest.mark.parametrize("text", [
    "this is useless", "you're not helping", "this doesn't help at all", "what a waste of time",
    "esto no sirve", "no me ayudas", "no entiendes nada, qué pérdida de tiempo", "stupid bot", "this is ridiculous",
    "eres tonto",
])
def test_frustration_is_recognised(text):
    assert wants_person(text) == "frustrated"


@pytest.mark.parametrize("text", [
    "Book a call with an advisor", "How long is a call with one of your advisors?", "are you a bot?",
    "¿eres un robot?", "Do you offer a human rights programme?", "When can I talk to an advisor?",
    "Do advisors speak Spanish?", "what documents do I need to get in?", "quiero una cita con un asesor",
    "stupid question, but is the MBA taught in English?", "perdón si es una pregunta tonta, ¿hay becas?",
    "the visa process is so annoying, how long does it take?",
])
def test_questions_that_only_mention_people_are_not_requests_for_one(text):
    assert wants_person(text) is None


@pytest.mark.parametrize("text, expected", [
    ("Book a call with an advisor", ("list", {})),
    ("What slots are available?", ("list", {})),
    ("Please book me a call next Tuesday at 2pm", ("book", {"date": "2026-11-24", "time": "14:00"})),
    ("book wednesday 3pm", ("book", {"date": "2026-11-25", "time": "15:00"})),
    ("can I get a call with someone on Wednesday?", ("list", {"date": "2026-11-25"})),
    ("quiero reservar una llamada mañana a las 10", ("book", {"date": "2026-11-24", "time": "10:00"})),
    ("¿puedo agendar una cita el jueves por la tarde?", ("book", {"date": "2026-11-26", "part_of_day": "afternoon"})),
    ("my exam is on monday at 9am. can i book a call wednesday at 4pm?",
     ("book", {"date": "2026-11-25", "time": "16:00"})),
])
def test_booking_words_ask_for_the_booking_tools(text, expected):
    assert booking_request(text, MONDAY) == expected


@pytest.mark.parametrize("text", [
    "my flight lands Thursday at 3pm, how far is the campus from the airport?",
    "Classes start on September 1, right? I land on August 25 at 6pm",
    "How long is a call with one of your advisors?", "how do I book a campus tour?",
    "mi vuelo llega el jueves a las 3 de la tarde, ¿a qué distancia está el campus?",
    "Do I need an appointment to visit the campus?", "¿Necesito una cita para visitar el campus?",
])
def test_a_question_that_mentions_a_day_and_time_does_not_book(text):
    assert booking_request(text, MONDAY) is None


@pytest.mark.parametrize("text, expected", [
    ("the first one", (TUESDAY, time(9))), ("the second", (TUESDAY, time(10))),
    ("the 10:00 one", (TUESDAY, time(10))), ("the later one on Friday", (FRIDAY, time(14))),
    ("la primera", (TUESDAY, time(9))), ("el de las 10", (TUESDAY, time(10))),
    ("el viernes por la tarde", (FRIDAY, time(14))), ("Friday at 10 please", (FRIDAY, time(10))),
    ("la última", (FRIDAY, time(14))), ("option 3", (FRIDAY, time(10))), ("14 works for me", (FRIDAY, time(14))),
    ("fine, friday at 10 then", (FRIDAY, time(10))),
])
def test_an_offered_slot_is_picked_by_place_time_or_day(text, expected):
    assert pick_offered(text, OFFERED, MONDAY) == expected
    assert booking_request(text, MONDAY, OFFERED) == ("book", {"date": expected[0].isoformat(),
                                                               "time": expected[1].strftime("%H:%M")})


@pytest.mark.parametrize("text, expected", [
    ("book me a call on friday morning, any time is fine",
     ("book", {"date": "2026-11-27", "part_of_day": "morning", "earliest": True})),
    ("reserva una llamada el jueves, me da igual la hora", ("book", {"date": "2026-11-26", "earliest": True})),
    ("what times are free for an advisor call on thursday?", ("list", {"date": "2026-11-26"})),
])
def test_flexible_requests_book_the_earliest_match_and_questions_about_times_list_them(text, expected):
    assert booking_request(text, MONDAY) == expected


def test_a_pick_that_matches_no_offered_slot_is_not_guessed():
    assert pick_offered("saturday", OFFERED, MONDAY) is None
    assert pick_offered("the seventh one", OFFERED, MONDAY) is None


def test_the_slots_of_a_written_list_are_read_back_in_both_languages():
    english = "Here are the next free advisor call slots:\n• Tuesday 24 November: 09:00, 10:00\n• Friday 27 November: 14:00"
    spanish = "Estos son los horarios:\n• martes 24 de noviembre: 09:00, 10:00\n• viernes 27 de noviembre: 14:00"
    expected = [(TUESDAY, time(9)), (TUESDAY, time(10)), (FRIDAY, time(14))]
    assert offered_slots(english, MONDAY) == expected == offered_slots(spanish, MONDAY)


def test_moving_a_call_to_a_time_keeps_its_day():
    mine = own_booking("actually can we make it 2pm instead?", has_booking=True)
    assert mine == "move"
    assert booking_request("actually can we make it 2pm instead?", MONDAY, (), mine, FRIDAY) == \
        ("book", {"date": "2026-11-27", "time": "14:00"})


@pytest.mark.parametrize("text, expected", [
    ("What time is my call?", "show"), ("when is my appointment?", "show"), ("do I have a booking?", "show"),
    ("¿a qué hora es mi llamada?", "show"), ("¿tengo una cita?", "show"),
    ("cancel my call", "cancel"), ("please cancel my booking", "cancel"), ("cancela mi cita", "cancel"),
    ("can I move my call?", "move"), ("quiero cambiar mi cita", "move"),
    ("how long is my call?", None), ("what is the application fee?", None),
    ("Mi cita en la embajada es el lunes a las 9, ¿qué documentos necesito?", None),
    ("my appointment at the embassy is on Friday, what do I bring?", None),
])
def test_the_students_own_booking(text, expected):
    assert own_booking(text) == expected


def test_cancel_it_needs_a_booking_in_the_chat():
    assert own_booking("cancel it", has_booking=True) == "cancel"
    assert own_booking("cancel it", has_booking=False) is None


@pytest.mark.parametrize("text, kind, rest", [
    ("hi", "greeting", ""), ("Good morning!", "greeting", ""), ("yo! what's up", "greeting", ""), ("buenos días", "greeting", ""),
    ("thanks!", "thanks", ""), ("muchas gracias", "thanks", ""), ("that's all, see you", "bye", ""),
    ("thanks, bye", "bye", ""), ("adiós", "bye", ""), ("mil gracias, eso era todo", "bye", ""), ("how are you?", "how_are_you", ""),
    ("who are you?", "who_are_you", ""), ("are you a bot or a real person?", "who_are_you", ""),
    ("¿eres un robot?", "who_are_you", ""), ("what can you do?", "who_are_you", ""),
    ("¿en qué me puedes ayudar?", "who_are_you", ""),
    ("Hello! how much is tuition?", "greeting", "how much is tuition?"),
    ("hola, ¿cuánto cuesta la matrícula?", "greeting", "cuánto cuesta la matrícula?"),
    ("What is the MBA?", None, "What is the MBA?"), ("fine arts programmes?", None, "fine arts programmes?"),
    ("ok, and housing?", "ack", "and housing?"), ("👍", "ack", ""), ("??", "greeting", ""), ("jajaja ok", "ack", ""), ("cool thanks, bye", "bye", ""), ("ok that's all, see ya", "bye", ""), ("no thanks", "no", ""), ("sí, por favor", "yes", ""),
    ("history programmes?", None, "history programmes?"),
])
def test_small_talk_and_what_follows_it(text, kind, rest):
    assert small_talk(text) == (kind, rest)


@pytest.mark.parametrize("text", [
    "Do I need 2 letters of recommendation?", "is the deadline March 1?", "what is the fee for the 10 week course?",
    "¿cuánto cuesta el curso de 2 años?", "what's the first step to apply?",
])
def test_a_new_question_after_a_slot_list_is_not_a_pick(text):
    assert booking_request(text, MONDAY, OFFERED) is None


@pytest.mark.parametrize("text, expected", [
    ("14 pls", ("book", {"date": "2026-11-27", "time": "14:00"})),
    ("el viernes a las 10 de la mañana", ("book", {"date": "2026-11-27", "time": "10:00"})),
    ("what times do you have on friday?", ("list", {"date": "2026-11-27"})),
    ("¿qué horarios tienen el viernes?", ("list", {"date": "2026-11-27"})),
    ("do you have anything on thursday afternoon?", ("list", {"date": "2026-11-26", "part_of_day": "afternoon"})),
])
def test_answers_to_a_slot_list(text, expected):
    assert booking_request(text, MONDAY, OFFERED) == expected


@pytest.mark.parametrize("text, expected", [
    ("my flight lands on Thursday at 3pm, do you pick people up at the airport?", "do you pick people up at the airport?"),
    ("I have an exam on Monday at 10am lol. when is the deadline?", "when is the deadline?"),
    ("mi examen es el lunes a las 9, ¿cuál es el plazo de becas?", "¿cuál es el plazo de becas?"),
    ("how much is tuition?", None), ("I land at 6pm. Thanks.", None),
])
def test_the_question_clause_of_a_message(text, expected):
    assert question_clause(text) == expected


@pytest.mark.parametrize("text", [
    "can I apply online instead? is it possible?", "¿cuál es la mejor residencia?", "hola, ¿la matrícula se paga en dos plazos?",
    "is it better to switch to the MBA?",
])
def test_with_a_booking_in_the_chat_other_questions_do_not_touch_it(text):
    assert own_booking(text, has_booking=True) is None


@pytest.mark.parametrize("text", [
    "¿Cuál es el horario de la biblioteca?", "what are the open hours of the library?",
    "¿cuánto cuesta la reserva de plaza en la residencia?", "what's the class schedule like in the MBA?",
    "what are the available hours for the gym?",
])
def test_questions_about_schedules_and_reservations_are_not_bookings(text):
    assert booking_request(text, MONDAY) is None


@pytest.mark.parametrize("text, expected", [
    ("ok can i go over it with an advisor on a call friday at 3pm?", ("book", {"date": "2026-11-27", "time": "15:00"})),
    ("¿podemos vernos por videollamada el jueves a las 10?", ("book", {"date": "2026-11-26", "time": "10:00"})),
    ("my visa appointment is on Friday at 10, what documents do I bring?", None),
])
def test_a_call_with_an_advisor_and_a_day_and_time_books(text, expected):
    assert booking_request(text, MONDAY) == expected


@pytest.mark.parametrize("text", ["wait, what time did u book?", "¿a qué hora me reservaste?"])
def test_asking_what_was_booked_reads_the_booking(text):
    assert own_booking(text) == "show"
