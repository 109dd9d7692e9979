"""The student's real-time protocol against a live server (offline assistant, SQLite)."""
import pytest

from conftest import ai_reply


def new_chat(client):
    ack = client.call("student_connect", {})
    assert ack["ok"], ack
    return ack["chat"]["id"], ack["token"]


def send(client, chat_id, text, client_id=None):
    return client.call("student_message", {"chat_id": chat_id, "message": text, "client_id": client_id})


def test_new_chat_gets_an_unguessable_id_and_token_in_the_ack_only(live_server, connect):
    student = connect(live_server.url)
    ack = student.call("student_connect", {})
    assert len(ack["chat"]["id"]) == 32 and len(ack["token"]) >= 40 and ack["chat"]["status"] == "ai"
    student.call("student_typing", {"chat_id": ack["chat"]["id"], "typing": False})  # a round trip later
    assert [name for name, _ in student.events] == []


def test_question_is_answered_from_the_knowledge_base(live_server, connect):
    student = connect(live_server.url)
    chat_id, _ = new_chat(student)
    ack = send(student, chat_id, "What is the tuition for graduate students?", "c-1")
    assert ack["ok"] and ack["message"]["role"] == "human" and ack["message"]["id"] > 0
    reply = ai_reply(student, chat_id, ack["message"]["id"])
    assert "$18,500" in reply["message"]
    assert reply["model"] == "local" and reply["model_label"] == "Offline assistant"
    assert reply["created_at"].endswith("Z")
    student.call("student_typing", {"chat_id": chat_id, "typing": False})  # a round trip later
    assert student.of("typing") == [{"chat_id": chat_id, "who": "assistant", "typing": True}]  # the reply ends it


def test_reconnect_with_token_replays_only_missed_messages(live_server, connect):
    first = connect(live_server.url)
    chat_id, token = new_chat(first)
    ack = send(first, chat_id, "Hello")
    reply = ai_reply(first, chat_id, ack["message"]["id"])
    first.close()

    again = connect(live_server.url)
    resumed = again.call("student_connect", {"chat_id": chat_id, "token": token, "last_message_id": ack["message"]["id"]})
    assert resumed["ok"] and "token" not in resumed
    assert [m["id"] for m in resumed["messages"]] == [reply["id"]]
    full = again.call("student_connect", {"chat_id": chat_id, "token": token})
    assert [m["role"] for m in full["messages"]] == ["human", "ai"]


def test_wrong_token_is_refused_and_gives_no_access(live_server, connect):
    owner = connect(live_server.url)
    chat_id, _ = new_chat(owner)
    intruder = connect(live_server.url)
    ack = intruder.call("student_connect", {"chat_id": chat_id, "token": "guess"})
    assert ack == {"ok": False, "error": {"code": "forbidden", "message": "That chat token is not valid."}}
    assert intruder.wait_for("error")["code"] == "forbidden"
    posted = send(intruder, chat_id, "let me in")
    assert posted["error"]["code"] == "forbidden"
    unknown = intruder.call("student_connect", {"chat_id": "0" * 32, "token": "x"})
    assert unknown["error"]["code"] == "chat_not_found"
    # The connection is still usable.
    assert new_chat(intruder)


def test_escalation_on_request_for_a_human(live_server, connect):
    student = connect(live_server.url)
    chat_id, _ = new_chat(student)
    ack = send(student, chat_id, "I'd like to talk to a human please")
    event = student.wait_for("escalation_triggered")
    # The reason is for the desk only; ask_contact depends on whether an advisor is free now.
    assert set(event) == {"chat_id", "status", "ask_contact"} and event["status"] == "waiting_human"
    reply = ai_reply(student, chat_id, ack["message"]["id"])
    assert "advisor" in reply["message"]
    assert student.wait_for("new_message", lambda m: m["role"] == "system")["chat_id"] == chat_id


def test_booking_in_natural_language_holds_a_real_slot_until_the_typed_contact_confirms_it(live_server, connect):
    student = connect(live_server.url)
    chat_id, _ = new_chat(student)
    ack = send(student, chat_id, "Can I book a call with an advisor?")
    listing = ai_reply(student, chat_id, ack["message"]["id"])
    assert "free advisor call slots" in listing["message"]
    ack = send(student, chat_id, "Tomorrow at 10am please")
    held = student.wait_for("booking_held")
    assert held["chat_id"] == chat_id and held["booking"]["time"] == "10:00" and held["booking"]["held_until"]
    reply = ai_reply(student, chat_id, ack["message"]["id"])
    assert held["booking"]["label"] in reply["message"] and "name and e-mail" in reply["message"]
    assert not student.of("booking_confirmed")
    ack = send(student, chat_id, "I'm Ana Pérez, ana.perez@example.com, +53 5 123 4567")
    confirmed = student.wait_for("booking_confirmed")
    assert confirmed["booking"]["id"] == held["booking"]["id"] and confirmed["booking"]["confirmed"]
    assert student.wait_for("contact_saved")["contact"]["phone"] == "+5351234567"
    reply = ai_reply(student, chat_id, ack["message"]["id"])
    assert "is confirmed" in reply["message"] and "ana.perez@example.com" in reply["message"]
    resumed = student.call("student_connect", {"chat_id": chat_id, "token": None})
    assert resumed["ok"] is False  # a token is always required to reopen


@pytest.mark.parametrize("payload, code", [
    ("not an object", "invalid_payload"),
    ({"chat_id": 5, "message": "hi"}, "invalid_payload"),
    ({"chat_id": "x", "message": ["a list"]}, "invalid_payload"),
    ({"chat_id": "x"}, "invalid_payload"),
])
def test_malformed_messages_are_refused_with_a_code(live_server, connect, payload, code):
    student = connect(live_server.url)
    ack = student.call("student_message", payload)
    assert ack["ok"] is False and ack["error"]["code"] == code
    assert student.wait_for("error")["event"] == "student_message"


def test_empty_and_oversized_messages_store_nothing(live_server, connect):
    student = connect(live_server.url)
    chat_id, token = new_chat(student)
    assert send(student, chat_id, "   ")["error"]["code"] == "message_empty"
    assert send(student, chat_id, "x" * 2001)["error"]["code"] == "message_too_long"
    assert send(student, chat_id, "x" * 2000)["ok"]
    history = student.call("student_connect", {"chat_id": chat_id, "token": token})["messages"]
    assert [len(m["message"]) for m in history if m["role"] == "human"] == [2000]


def test_retried_send_with_the_same_client_id_is_stored_once(live_server, connect):
    student = connect(live_server.url)
    chat_id, token = new_chat(student)
    first = send(student, chat_id, "Hello", "c-same")
    second = send(student, chat_id, "Hello", "c-same")
    assert first["message"]["id"] == second["message"]["id"]
    ai_reply(student, chat_id, first["message"]["id"])
    history = student.call("student_connect", {"chat_id": chat_id, "token": token})["messages"]
    assert [m["role"] for m in history] == ["human", "ai"]


def test_two_students_never_see_each_others_messages(live_server, connect):
    alice, bob = connect(live_server.url), connect(live_server.url)
    alice_chat, _ = new_chat(alice)
    bob_chat, _ = new_chat(bob)
    ack = send(alice, alice_chat, "secret from alice")
    ai_reply(alice, alice_chat, ack["message"]["id"])
    ack = send(bob, bob_chat, "hello from bob")
    ai_reply(bob, bob_chat, ack["message"]["id"])
    assert {m["chat_id"] for m in alice.of("new_message")} == {alice_chat}
    assert {m["chat_id"] for m in bob.of("new_message")} == {bob_chat}
    assert all("alice" not in m["message"] for m in bob.of("new_message"))
