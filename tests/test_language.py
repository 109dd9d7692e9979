"""The student's language, per message and over the chat."""
import pytest

from assistant.language import conversation_language, detect


@pytest.mark.parametrize("text, expected", [
    ("¿Cuánto cuesta la matrícula?", "es"), ("how much is tuition for international students?", "en"),
    ("hola", "es"), ("gracias", "es"), ("hi", "en"), ("thanks!", "en"), ("la primera", "es"),
    ("the first one", "en"), ("quiero hablar con alguien", "es"), ("is anyone there?", "en"),
    ("y para el doctorado?", "es"), ("and for the PhD?", "en"), ("esto no sirve", "es"),
])
def test_detects_english_and_spanish(text, expected):
    assert detect(text) == expected


@pytest.mark.parametrize("short", ["ok", "MBA?", "10:00", "👍"])
def test_a_message_too_short_to_judge_keeps_the_chats_language(short):
    assert detect(short, "es") == "es"
    assert detect(short, "en") == "en"
    assert conversation_language(["¿Dónde está el campus?", short]) == "es"


def test_the_chat_follows_the_student_when_they_switch():
    assert conversation_language(["¿Dónde está el campus?", "Sorry, can we continue in English please?"]) == "en"


@pytest.mark.parametrize("text, expected", [("tengo una pregunta", "es"), ("becas?", "es"), ("i have a question", "en")])
def test_a_few_common_words_settle_a_short_message_against_the_chat(text, expected):
    other = "en" if expected == "es" else "es"
    assert detect(text, other) == expected


@pytest.mark.parametrize("text, expected", [
    ("When did Universidad de Almarena open?", "en"),
    ("What does the Escuela de Medicina cost for foreigners?", "en"),
    ("I live in San José de las Lajas, how far is the campus?", "en"),
    ("¿Cuánto cuesta el Master of Business Administration?", "es"),
    ("¿Dónde queda la Facultad de Ingeniería?", "es"),
])
def test_names_in_the_other_language_do_not_decide_the_message_language(text, expected):
    assert detect(text) == expected


def test_each_reply_classifies_only_the_students_new_messages(monkeypatch):
    """Every reply reads the language over the whole chat; earlier messages are not classified again."""
    from assistant import language
    classified = []
    identifier = language._identifier()
    monkeypatch.setattr(language, "_identifier", lambda: classified.append(1) or identifier)
    said = ["Where exactly is the main campus of the university?", "Do you offer scholarships for engineering?"]
    assert conversation_language(said) == "en"
    before = len(classified)
    assert conversation_language([*said, "And what about housing for first year students?"]) == "en"
    assert len(classified) - before == 1
