"""The evaluation: its scorer, the golden sets' format, and a fixed subset played through the real server."""
import json
import re
from datetime import date
from decimal import Decimal

import pytest

from conftest import ROOT
from eval import golden, report
from eval.run import _play, evaluate, main
from eval.score import (QuoteDetector, TurnResult, allowed_numbers, has_fact, invented_numbers, reply_language,
                        says_not_offered, score_turn)
from eval.slots import local_now, planned_slots

NORTHWIND = ROOT / "tests/data/eval_northwind.jsonl"

# Across every kind, both languages and three knowledge bases (school_data.txt, Lakeshore Polytechnic and
# the tests' Northwind); about 25 s through the real server.
SUBSET = [
    "hv-fact-001", "hv-reworded-001", "hv-followup-001", "hv-comparison-001", "hv-booking-001",
    "hv-booking-002", "hv-booking-006", "hv-my-booking-002", "hv-smalltalk-002", "hv-person-006",
    "hv-unknown-001", "hv-not-offered-001", "hv-fact-es-001", "hv-booking-es-001", "hv-person-es-001",
    "hv-reworded-es-001", "hv-followup-es-001", "hv-comparison-es-001", "hv-smalltalk-es-001",
    "hv-my-booking-es-001", "hv-not-offered-es-001",
    "lk-reworded-001", "lk-followup-001", "lk-comparison-001", "lk-booking-001", "lk-my_booking-001",
    "lk-person-001", "lk-unknown-001", "lk-not_offered-001", "lk-smalltalk-001",
    "lk-reworded-021", "lk-followup-015", "lk-booking-015", "lk-person-012",
    "nw-fact-001", "nw-followup-001", "nw-person-001", "nw-not-offered-001", "nw-fact-es-001",
]
SETS = [golden.GOLDEN_DIR / "havana.jsonl", golden.GOLDEN_DIR / "lakeshore_polytechnic.jsonl", NORTHWIND]
# Measured on SUBSET through the real server, three runs alike: 38 of 39 passed, facts 28/28, bookings
# 17/17, unknowns 5/5, persons recognised 5/5, replies in the expected language 55/55, 1 wrong escalation,
# 0 invented numbers. The limits leave a little room for noise; the assistant before intents and the new
# retrieval (integ at 46a938b) scored 12, 14, 10, 5, 0, 35, 16 and 0, which fails them.
FLOOR = {"passed": 36, "facts": 27, "bookings": 16, "unknowns": 5, "intents": 5, "reply_lang": 53}
CEILING = {"wrongly_escalated": 2, "invented": 0}

WEEKDAYS = {"en": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"],
            "es": ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]}


def _not_today(conversation, today):
    """Name tomorrow's weekday instead of today's, so "Thursday at 10am" is never already past."""
    for names in WEEKDAYS.values():
        today_name, other = names[today.weekday()], names[(today.weekday() + 1) % 5]
        for turn in conversation.turns:
            turn["student"] = re.sub(today_name, other, turn["student"], flags=re.I)
    return conversation


@pytest.fixture(scope="module")
def subset_summary():
    conversations = golden.load(SETS, ids=set(SUBSET))
    assert sorted(c.id for c in conversations) == sorted(SUBSET)
    today = local_now().date()
    scored = evaluate([_not_today(c, today) for c in conversations])
    return report.summarise(scored)["total"], scored


def test_subset_through_the_real_server_meets_the_floor(subset_summary):
    total, scored = subset_summary
    got = {"passed": total.passed, "facts": total.facts_found, "bookings": total.bookings_ok,
           "unknowns": total.unknowns_ok, "intents": total.intents_ok, "reply_lang": total.lang_ok,
           "wrongly_escalated": total.wrongly_escalated, "invented": total.invented}
    below = {k: (got[k], v) for k, v in FLOOR.items() if got[k] < v}
    above = {k: (got[k], v) for k, v in CEILING.items() if got[k] > v}
    assert not below and not above, f"(got, limit) below floor {below}, above ceiling {above}\n" + \
        report.failures(scored)


def test_subset_answers_every_turn_within_the_timeout(subset_summary):
    total, scored = subset_summary
    assert not [c.conversation.id for c in scored if any(r.timed_out for r in c.results)]
    assert total.replies == sum(len(c.conversation.turns) for c in scored)


def test_live_run_sees_bookings_and_escalations_as_a_student_does(subset_summary):
    _, scored = subset_summary
    by_id = {c.conversation.id: c for c in scored}
    assert by_id["hv-booking-001"].results[1].booked
    person = by_id["nw-person-001"].results[0]
    assert person.escalated and person.reason  # the reason was read from the server's database


def test_direct_mode_books_and_escalates_in_process():
    conversations = golden.load([golden.GOLDEN_DIR / "havana.jsonl"], ids={"hv-booking-003", "hv-person-001"})
    today = local_now().date()
    scored = {c.conversation.id: c for c in evaluate([_not_today(c, today) for c in conversations], direct=True)}
    assert scored["hv-booking-003"].results[0].booked
    assert scored["hv-person-001"].results[0].escalated


def test_a_runner_failure_fails_that_conversation_with_its_error():
    class Broken:
        def play(self, conversation):
            raise ConnectionError("server went away")

    conversation = golden.load([golden.GOLDEN_DIR / "havana.jsonl"], ids={"hv-followup-001"})[0]
    results = _play(Broken(), conversation)
    assert len(results) == 2 and all(r.error == "ConnectionError: server went away" for r in results)
    score = score_turn("followup", "en", conversation.turns[0]["expect"], results[0], set(), [], QuoteDetector([KB]))
    assert not score.passed and score.failures[0] == "error: ConnectionError: server went away"


# -- the scorer ---------------------------------------------------------------------------

@pytest.mark.parametrize("reply, fact", [
    ("Graduate tuition is $18,500 per year.", "$18,500"),
    ("La matrícula cuesta 18.500 dólares al año.", "18,500"),
    ("Cuesta US$ 18 500 al año.", "$18,500"),
    ("Se necesita un IELTS de 6,5.", "6.5"),
    ("Las llamadas son a las 9:00.", "09:00"),
    ("La matricula es en Vedado.", "matrícula"),
    ("THE CLASSES START ON SEPTEMBER 1.", "september 1"),
])
def test_facts_match_across_case_accents_and_number_formats(reply, fact):
    assert has_fact(reply, fact)


@pytest.mark.parametrize("reply, fact", [
    ("The fee is $750.", "$75"),
    ("It takes 16 weeks.", "6"),
    ("Deadline: March 15.", "March 1"),
    ("Tuition is $18,000.", "$18,500"),
])
def test_facts_do_not_match_inside_other_numbers(reply, fact):
    assert not has_fact(reply, fact)


KB = "Undergraduate tuition is $12,000 per year. Domestic tuition is $6,500 per year. The fee is $75."


def test_numbers_from_the_knowledge_base_and_their_sums_and_differences_are_not_invented():
    allowed = allowed_numbers([KB])
    assert invented_numbers("International students pay $5,500 more ($12,000 vs $6,500).", allowed) == []
    assert invented_numbers("Together that is $18,500 a year.", allowed) == []
    assert invented_numbers("The fee is $75, due by 15 de marzo.", allowed) == [Decimal(15)]


def test_numbers_the_student_wrote_or_the_slots_offer_are_not_invented():
    allowed = allowed_numbers([KB])
    assert invented_numbers("Booked for Thursday 3 December at 14:00.", allowed) == [Decimal(3), Decimal(14)]
    assert invented_numbers("Booked for Thursday 3 December at 14:00.", allowed,
                            ["Thursday 3 December at 14:00"]) == []
    assert invented_numbers("Your budget of $4,300 is noted.", allowed, ["my budget is 4300"]) == []


def test_an_invented_number_fails_the_turn():
    allowed, quotes = allowed_numbers([KB]), QuoteDetector([KB])
    result = TurnResult(student="how much?", reply="Tuition is $13,250 per year.")
    score = score_turn("fact", "en", {"escalate": False}, result, allowed, ["how much?"], quotes)
    assert not score.passed and score.invented == [Decimal(13250)]


@pytest.mark.parametrize("text, lang", [
    ("Undergraduate tuition is $12,000 per year for international students.", "en"),
    ("La matrícula de pregrado es de 12.000 dólares al año para estudiantes internacionales.", "es"),
    ("¡Hola! ¿En qué puedo ayudarte?", "es"),
    ("Hi! How can I help?", "en"),
    ("Listo, tu llamada con un asesor quedo reservada para el jueves a las 10:00.", "es"),
    ("You're welcome! Anything else?", "en"),
])
def test_reply_language_is_english_or_spanish(text, lang):
    assert reply_language(text) == lang


def test_a_knowledge_base_is_in_its_own_language_and_its_siblings(tmp_path):
    (tmp_path / "kb.txt").write_text("# Admissions\n\nThe application fee is $75 and it is paid online by card.\n")
    assert golden.kb_languages(tmp_path / "kb.txt") == {"en"}
    (tmp_path / "kb.es.txt").write_text("# Admisiones\n\nLa tarifa de solicitud es de 75 dólares.\n")
    assert golden.kb_languages(tmp_path / "kb.txt") == {"en", "es"}
    assert len(golden.kb_texts(tmp_path / "kb.txt")) == 2


def test_an_english_quote_in_a_spanish_reply_counts_only_when_there_is_no_spanish_text():
    kb = "Undergraduate tuition is $12,000 per year for international students and paid in two installments."
    reply = ("Según la información de admisiones (en inglés): Undergraduate tuition is $12,000 per year for "
             "international students and paid in two installments.")
    result = TurnResult(student="cuanto cuesta?", reply=reply)
    args = ({"reply_lang": "es"}, result, allowed_numbers([kb]), ["cuanto cuesta?"], QuoteDetector([kb]))
    assert score_turn("fact", "es", *args, kb_langs={"en"}).lang_ok
    assert not score_turn("fact", "es", *args, kb_langs={"en", "es"}).lang_ok


@pytest.mark.parametrize("text, expected", [
    ("We don't offer sports medicine; the closest programme is Medicine (MD).", True),
    ("Sports medicine is not listed among our programs.", True),
    ("No ofrecemos medicina deportiva.", True),
    ("La maestría en ingeniería marina no figura entre nuestros programas.", True),
    ("The Doctor of Medicine (MD) program takes 6 years.", False),
])
def test_not_offered_replies_are_recognised(text, expected):
    assert says_not_offered(text) is expected


@pytest.mark.parametrize("reason, ok", [
    ("Asked for a person: can I talk to someone?", True),
    ("Frustrated: this is useless", True),
    ("The student asked to talk to an advisor.", False),
    ("Not in the knowledge base: parking", False),
])
def test_a_person_request_counts_only_with_the_contract_reason(reason, ok):
    result = TurnResult(student="human please", reply="An advisor will join.", escalated=True, reason=reason)
    score = score_turn("person", "en", {"escalate": True, "intent": "person"}, result, set(), [],
                       QuoteDetector([KB]))
    assert score.intent_ok is ok and score.passed is ok


def test_small_talk_that_quotes_the_knowledge_base_fails():
    quotes = QuoteDetector([KB])
    quoting = TurnResult(student="hi", reply="Hi! Undergraduate tuition is $12,000 per year.")
    friendly = TurnResult(student="hi", reply="Hi! Ask me about tuition, deadlines or housing.")
    expect = {"no_quote": True, "escalate": False}
    assert not score_turn("smalltalk", "en", expect, quoting, allowed_numbers([KB]), ["hi"], quotes).passed
    assert score_turn("smalltalk", "en", expect, friendly, allowed_numbers([KB]), ["hi"], quotes).passed


# -- the golden sets ----------------------------------------------------------------------

def test_every_golden_set_follows_the_format():
    conversations = golden.load([*sorted(golden.GOLDEN_DIR.glob("*.jsonl")), NORTHWIND])
    assert len({c.id for c in conversations}) == len(conversations)


def test_havana_golden_set_covers_every_kind_and_enough_spanish():
    conversations = golden.load([golden.GOLDEN_DIR / "havana.jsonl"])
    assert len(conversations) >= 130
    assert sum(c.lang == "es" for c in conversations) >= len(conversations) / 4
    assert {c.kind for c in conversations} == set(golden.KINDS)
    assert {c.kind for c in conversations if c.lang == "es"} >= {"fact", "followup", "person", "booking",
                                                                  "smalltalk"}


@pytest.mark.parametrize("line, message", [
    ('{"id": "x", "kb": "school_data.txt", "kind": "chitchat", "lang": "en", "turns": [{"student": "hi"}]}',
     "kind 'chitchat'"),
    ('{"id": "x", "kb": "school_data.txt", "kind": "fact", "lang": "en", "turns": []}', "turns"),
    ('{"id": "x", "kb": "school_data.txt", "kind": "fact", "lang": "en", '
     '"turns": [{"student": "hi", "expect": {"fact": ["$75"]}}]}', "unknown expect keys"),
    ('{"id": "x", "kb": "nowhere.txt", "kind": "fact", "lang": "en", "turns": [{"student": "hi"}]}',
     "knowledge base 'nowhere.txt' not found"),
    ('{"id": "x", "kb": "school_data.txt", "kind": "booking", "lang": "en", '
     '"turns": [{"student": "hi", "expect": {"booking": "yes"}}]}', "booking must be"),
])
def test_a_malformed_golden_line_is_refused_with_its_place(tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(golden.GoldenError, match=re.escape(message)) as info:
        golden.load([path])
    assert "bad.jsonl:1" in str(info.value)


def test_command_line_reports_a_bad_set_without_running(tmp_path, capsys):
    path = tmp_path / "bad.jsonl"
    path.write_text("not json\n")
    assert main(["--set", str(path)]) == 2
    assert "bad.jsonl:1" in capsys.readouterr().err


def test_min_pass_turns_the_report_into_a_check(capsys):
    args = ["--direct", "--set", str(golden.GOLDEN_DIR / "havana.jsonl"), "--id", "hv-person-es-001", "--json"]
    assert main(args) == 0  # a report by default, whatever the result
    summary = json.loads(capsys.readouterr().out)
    assert summary["total"]["conversations"] == 1
    assert main([*args, "--min-pass", "1.0"]) == (0 if summary["total"]["passed"] else 1)


def test_slots_are_weekdays_from_nine_to_four_for_two_weeks():
    slots = planned_slots(date(2026, 11, 27))  # a Friday
    assert {d.weekday() for d, _ in slots} <= set(range(5))
    assert {t.hour for _, t in slots} == set(range(9, 17))
    assert min(d for d, _ in slots) == date(2026, 11, 27) and max(d for d, _ in slots) == date(2026, 12, 10)
