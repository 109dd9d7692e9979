"""A chat's language: the page's at first, detected from the student's first messages, pinned by the
page's switch, shown to the desk, and the language every notice of the chat is written in."""
import shutil

from assistant.language import detect
from conftest import ai_reply, post
from havana import i18n
from test_student_events import new_chat, send


def notices(recorder, chat_id):
    return [m["message"] for m in recorder.of("new_message") if m["chat_id"] == chat_id and m["role"] == "system"]


def test_a_new_chat_starts_in_the_pages_language(live_server, connect):
    student = connect(live_server.url)
    ack = student.call("student_connect", {"language": "es"})
    assert ack["ok"] and ack["chat"]["language"] == "es"
    assert student.call("student_connect", {})["chat"]["language"] is None  # not known yet


def test_the_language_follows_the_students_first_messages_and_the_desk_sees_it(live_server, connect, admin):
    student = connect(live_server.url)
    ack = student.call("student_connect", {"language": "en"})
    chat_id = ack["chat"]["id"]
    ai_reply(student, chat_id, send(student, chat_id, "Hola, ¿cuánto cuesta la matrícula?")["message"]["id"])
    assert admin.wait_for("chat_language", lambda e: e["chat_id"] == chat_id)["language"] == "es"
    assert admin.call("admin_connect", {"chat_id": chat_id})["chat"]["language"] == "es"
    sent = send(student, chat_id, "Quiero hablar con una persona")
    ai_reply(student, chat_id, sent["message"]["id"])
    assert "Te estamos conectando con un asesor de admisiones." in notices(student, chat_id)


def test_after_the_first_messages_one_message_in_another_language_changes_nothing(live_server, connect, admin):
    student = connect(live_server.url)
    chat_id, _ = new_chat(student)
    for text in ("Hola", "¿Qué carreras tienen?", "¿Y cuánto cuesta la matrícula?"):
        ai_reply(student, chat_id, send(student, chat_id, text)["message"]["id"])
    sent = send(student, chat_id, "I want to talk to a human")
    ai_reply(student, chat_id, sent["message"]["id"])
    assert "Te estamos conectando con un asesor de admisiones." in notices(student, chat_id)
    assert admin.call("admin_connect", {"chat_id": chat_id})["chat"]["language"] == "es"


def test_the_switch_pins_the_language_and_is_validated(live_server, connect, admin):
    student = connect(live_server.url)
    chat_id, _ = new_chat(student)
    assert student.call("set_language", {"chat_id": chat_id, "language": "fr"})["error"]["code"] == "invalid_payload"
    other = connect(live_server.url)
    assert other.call("set_language", {"chat_id": chat_id, "language": "es"})["error"]["code"] == "forbidden"
    assert student.call("set_language", {"chat_id": chat_id, "language": "es"}) == {
        "ok": True, "chat_id": chat_id, "language": "es"}
    # Chosen on the page: an English first message no longer changes it, and the assistant answers in Spanish.
    reply = ai_reply(student, chat_id, send(student, chat_id, "I want to talk to a human")["message"]["id"])
    assert "Te estamos conectando con un asesor de admisiones." in notices(student, chat_id)
    assert admin.call("close_chat", {"chat_id": chat_id})["status"] == "closed"
    student.wait_for("new_message", lambda m: m["chat_id"] == chat_id and "cerrado esta conversación" in m["message"])
    assert detect(reply["message"]) == "es", reply["message"]


def test_booking_notices_are_in_the_chats_language_and_read_back_by_the_assistant(live_server, connect,
                                                                                  admin_session):
    student = connect(live_server.url)
    chat_id = student.call("student_connect", {"language": "es"})["chat"]["id"]
    for text in ("Quiero reservar una llamada con un asesor", "el jueves a las 9"):
        ai_reply(student, chat_id, send(student, chat_id, text)["message"]["id"])
    booked = student.wait_for("booking_held", lambda e: e["chat_id"] == chat_id)["booking"]
    assert any(n.startswith("Llamada con un asesor reservada provisionalmente para el jueves")
               for n in notices(student, chat_id))
    # The assistant reads the Spanish notice back: it knows the call.
    reply = ai_reply(student, chat_id, send(student, chat_id, "¿Cuándo es mi llamada?")["message"]["id"])
    assert "jueves" in reply["message"].lower()
    refused = student.call("save_contact", {"chat_id": chat_id, "name": "Ana", "email": "ana@example.com",
                                            "method": "phone"})
    assert refused["error"]["message"].startswith("Para que te llamemos por teléfono o WhatsApp")
    assert student.call("save_contact", {"chat_id": chat_id, "name": "Ana", "email": "ana@example.com"})["ok"]
    student.wait_for("booking_confirmed", lambda e: e["chat_id"] == chat_id)
    assert any(n.startswith("Llamada con un asesor reservada para el jueves") for n in notices(student, chat_id))
    cancelled = post(admin_session, live_server.url + f"/api/bookings/{booked['id']}/cancel")
    assert cancelled.status_code == 200
    student.wait_for("new_message", lambda m: m["chat_id"] == chat_id and m["role"] == "system"
                     and "fue cancelada por la oficina de admisiones" in m["message"])


def test_catalogs_are_compiled_when_missing(tmp_path):
    shutil.copytree(i18n.TRANSLATIONS, tmp_path / "translations", ignore=shutil.ignore_patterns("*.mo"))
    i18n.compile_catalogs(tmp_path / "translations")
    assert (tmp_path / "translations" / "es" / "LC_MESSAGES" / "messages.mo").stat().st_size > 0


def test_the_page_follows_accept_language_then_the_switch_cookie(live_server):
    import requests
    session = requests.Session()
    page = session.get(live_server.url + "/", headers={"Accept-Language": "es-419,es;q=0.9,en;q=0.5"}).text
    assert '<html lang="es">' in page and "Nuevo chat" in page and 'id="i18n-catalog"' in page
    switched = session.get(live_server.url + "/language/en?next=/", allow_redirects=False)
    assert switched.status_code == 302 and switched.headers["Location"] == "/"
    page = session.get(live_server.url + "/", headers={"Accept-Language": "es"}).text
    assert '<html lang="en">' in page and "New chat" in page
    outside = session.get(live_server.url + "/language/es?next=//evil.example", allow_redirects=False)
    assert outside.headers["Location"] == "/"
