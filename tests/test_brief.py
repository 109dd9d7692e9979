"""The rule-written hand-off brief names the student's language and skips the assistant's fixed replies."""
from assistant.brief import rule_brief
from assistant.offline import TEXT


def rows(*pairs):
    return [{"role": role, "message": message} for role, message in pairs]


def test_the_brief_names_the_students_language():
    spanish = rows(("human", "Hola, ¿cuánto cuesta la maestría en Ciencia de Datos?"),
                   ("ai", TEXT["es"]["escalated"]), ("human", "quiero hablar con alguien"))
    assert rule_brief(spanish, "Asked for a person: quiero hablar con alguien")["language"] == "Spanish"
    english = rows(("human", "How much is the master's in data science?"))
    assert rule_brief(english, "Not in the knowledge base: x")["language"] == "English"


def test_fixed_replies_in_either_language_are_not_reported_as_answers():
    history = rows(("human", "hola"), ("ai", TEXT["es"]["greeting"].format(institution="Havana University")),
                   ("human", "¿Cuánto cuesta la matrícula?"), ("ai", "La matrícula de grado cuesta $6.500 al año."),
                   ("human", "gracias"), ("ai", TEXT["es"]["thanks"]), ("human", "quiero un humano"),
                   ("ai", TEXT["es"]["no_advisor"] + TEXT["es"]["slots"]))
    assert rule_brief(history, "Asked for a person: quiero un humano")["answered"] == \
        "La matrícula de grado cuesta $6.500 al año."
