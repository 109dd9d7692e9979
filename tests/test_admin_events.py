"""The advisors' real-time desk: a student client and admin clients against a live server."""
import pytest

from conftest import ai_reply, connect_admin, wait_until
from test_student_events import new_chat, send


def test_admin_sees_new_chats_and_student_messages_live(live_server, connect, admin):
    student = connect(live_server.url)
    chat_id, _ = new_chat(student)
    created = admin.wait_for("chat_created", lambda d: d["chat_id"] == chat_id)
    assert created["chat"]["status"] == "ai" and "token" not in created
    ack = send(student, chat_id, "What is the tuition for graduate students?")
    seen = admin.wait_for("new_message", lambda m: m["id"] == ack["message"]["id"])
    assert seen["message"] == "What is the tuition for graduate students?"
    assert "$18,500" in ai_reply(admin, chat_id, seen["id"])["message"]


def test_dashboard_lists_escalated_chats_first_with_reason_and_unread(live_server, connect, admin):
    student = connect(live_server.url)
    calm, _ = new_chat(student)
    send(student, calm, "Hello")
    urgent, _ = new_chat(student)
    send(student, urgent, "I want to talk to a human")
    event = admin.wait_for("escalation_triggered", lambda e: e["chat_id"] == urgent)
    assert event["status"] == "waiting_human"
    desk = admin.call("admin_connect", {})
    assert desk["chats"][0]["id"] == urgent
    assert desk["chats"][0]["escalation_reason"] and desk["chats"][0]["unread"] >= 1
    assert desk["chats"][0]["last_message"]["role"] in ("ai", "system", "human")
    assert {p["name"] for p in desk["model"]["providers"]} == {"openai", "gemini", "local"}


def test_takeover_stops_ai_replies_and_operator_messages_reach_the_student(live_server, connect, admin):
    student = connect(live_server.url)
    chat_id, _ = new_chat(student)
    opened = admin.call("admin_connect", {"chat_id": chat_id})
    assert opened["ok"] and opened["chat"]["id"] == chat_id
    assert student.wait_for("admin_status_changed")["advisors_online"] == 1

    ack = admin.call("toggle_human_enabled", {"chat_id": chat_id, "enabled": True})
    assert ack["ok"] and ack["is_human_enabled"] and ack["status"] == "human"
    assert student.wait_for("human_enabled_changed")["is_human_enabled"] is True
    assert student.wait_for("new_message", lambda m: m["message"] == "An advisor has joined the chat.")

    asked = send(student, chat_id, "What is the tuition for graduate students?")
    operator = admin.call("admin_message", {"chat_id": chat_id, "message": "Hi, I'm Ana from admissions."})
    assert operator["ok"] and operator["message"]["role"] == "human_operator"
    got = student.wait_for("new_message", lambda m: m["role"] == "human_operator")
    assert got["message"] == "Hi, I'm Ana from admissions." and got["author_name"] == "Admissions advisor"
    assert "author" not in got and operator["message"]["author"] == "admin"  # the account name stays on the desk
    history = admin.call("admin_connect", {"chat_id": chat_id})["messages"]
    assert not [m for m in history if m["role"] == "ai" and m["id"] > asked["message"]["id"]]

    back = admin.call("toggle_human_enabled", {"chat_id": chat_id, "enabled": False})
    assert back["status"] == "ai"
    assert student.wait_for("new_message", lambda m: m["message"] == "You're back with the assistant.")
    again = send(student, chat_id, "What is the tuition for graduate students?")
    assert "$18,500" in ai_reply(student, chat_id, again["message"]["id"])["message"]


def test_operator_message_takes_the_chat_over(live_server, connect, admin):
    student = connect(live_server.url)
    chat_id, _ = new_chat(student)
    admin.call("admin_message", {"chat_id": chat_id, "message": "Hello from an advisor"})
    assert student.wait_for("human_enabled_changed")["is_human_enabled"] is True


def test_two_admins_see_each_others_operator_messages(live_server, connect, admin, admin_session):
    live_server.create_admin("bob", "bob-password-1")
    bob = connect_admin(connect, live_server, live_server.sign_in("bob", "bob-password-1"))
    student = connect(live_server.url)
    chat_id, _ = new_chat(student)
    bob.call("admin_connect", {"chat_id": chat_id})
    admin.call("admin_message", {"chat_id": chat_id, "message": "from admin"})
    assert bob.wait_for("new_message", lambda m: m["message"] == "from admin")["author"] == "admin"
    # Only one advisor holds a takeover: bob sees who, and writes once admin hands the chat over.
    refused = bob.call("admin_message", {"chat_id": chat_id, "message": "from bob"})
    assert refused["error"] == {"code": "taken", "message": "admin is handling this chat."}
    admin.call("toggle_human_enabled", {"chat_id": chat_id, "enabled": False})
    assert bob.call("admin_message", {"chat_id": chat_id, "message": "from bob"})["ok"]
    assert admin.wait_for("new_message", lambda m: m["message"] == "from bob")["author"] == "bob"
    assert admin.wait_for("human_enabled_changed", lambda e: e["taken_by"] == "bob")
    viewers = admin.wait_for("admin_status_changed", lambda e: e["chat_id"] == chat_id and "bob" in e["viewers"])
    assert viewers["advisors_online"] >= 1


def test_presence_ends_when_the_advisor_leaves(live_server, connect, admin):
    student = connect(live_server.url)
    chat_id, _ = new_chat(student)
    admin.call("admin_connect", {"chat_id": chat_id})
    student.wait_for("admin_status_changed", lambda e: e["advisors_online"] == 1)
    admin.call("admin_disconnect_from_chat", {"chat_id": chat_id})
    student.wait_for("admin_status_changed", lambda e: e["advisors_online"] == 0)


@pytest.mark.parametrize("event, payload", [
    ("admin_connect", {}),
    ("admin_connect", {"chat_id": "0" * 32}),
    ("admin_message", {"chat_id": "0" * 32, "message": "hi"}),
    ("toggle_human_enabled", {"chat_id": "0" * 32, "enabled": True}),
    ("admin_disconnect_from_chat", {"chat_id": "0" * 32}),
])
def test_admin_events_are_refused_without_sign_in(live_server, connect, event, payload):
    student = connect(live_server.url)
    ack = student.call(event, payload)
    assert ack == {"ok": False, "error": {"code": "forbidden", "message": "Sign in as an admin first."}}
    assert student.wait_for("error")["event"] == event


def test_a_student_connection_never_receives_other_chats_or_admin_events(live_server, connect, admin):
    student, other = connect(live_server.url), connect(live_server.url)
    chat_id, _ = new_chat(student)
    other_chat, _ = new_chat(other)
    admin.call("toggle_human_enabled", {"chat_id": other_chat, "enabled": True})
    admin.call("admin_message", {"chat_id": other_chat, "message": "private to other"})
    other.wait_for("new_message", lambda m: m["message"] == "private to other")
    assert all(m["chat_id"] == chat_id for m in student.of("new_message"))
    assert not student.of("chat_created")
    assert not student.of("model_changed")


def test_model_switch_changes_the_model_of_the_next_reply(start_server, connect, tmp_path):
    from fake_providers import FakeOpenAIServer, text
    with FakeOpenAIServer() as fake:
        fake.default = lambda request: text("Reply from the fake OpenAI model.")
        server = start_server(OPENAI_API_KEY="test-key", OPENAI_BASE_URL=fake.base_url, AI_MAX_RETRIES=0)
        session = server.sign_in()
        admin = connect_admin(connect, server, session)
        admin.call("admin_connect", {})
        student = connect(server.url)
        chat_id, _ = new_chat(student)
        first = send(student, chat_id, "Hello?")
        assert ai_reply(student, chat_id, first["message"]["id"])["model"] == "openai"

        response = session.post(server.url + "/api/model", json={"model": "local"},
                                headers={"X-CSRFToken": session.csrf_token})
        assert response.status_code == 200 and response.json()["active"] == "local"
        assert admin.wait_for("model_changed")["active"] == "local"
        second = send(student, chat_id, "What is the tuition for graduate students?")
        reply = ai_reply(student, chat_id, second["message"]["id"])
        assert reply["model"] == "local" and "$18,500" in reply["message"]


def test_signing_out_disconnects_the_admins_live_socket_and_a_reconnect_is_not_an_admin(start_server, connect):
    server = start_server()
    session = server.sign_in()
    desk = connect_admin(connect, server, session)
    assert desk.call("admin_connect", {})["ok"]
    old_cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    assert session.post(server.url + "/logout", data={"csrf_token": session.csrf_token}).ok
    wait_until(lambda: not desk.client.connected, timeout=1)
    # The old cookie again, within ADMIN_RECHECK_SECONDS: the account is read afresh, not from the cache.
    again = connect(server.url, headers={"Cookie": old_cookie})
    assert again.call("admin_connect", {})["error"]["code"] == "forbidden"
    assert session.get(server.url + "/api/chats").status_code == 401


def test_history_keeps_who_wrote_each_operator_message_and_what_was_read(live_server, connect, admin, admin_session):
    student = connect(live_server.url)
    chat_id, _ = new_chat(student)
    admin.call("admin_connect", {"chat_id": chat_id})
    admin.call("admin_message", {"chat_id": chat_id, "message": "Hello, Ana here."})
    send(student, chat_id, "Thanks Ana")  # read at once: the advisor has the chat open
    detail = admin_session.get(live_server.url + f"/api/chats/{chat_id}").json()
    assert [m.get("author") for m in detail["messages"] if m["role"] == "human_operator"] == ["admin"]
    listed = admin_session.get(live_server.url + "/api/chats").json()["chats"]
    assert next(c for c in listed if c["id"] == chat_id)["unread"] == 0


def test_new_admin_events_need_sign_in(live_server, connect):
    student = connect(live_server.url)
    for event, payload in (("admin_typing", {"chat_id": "x", "typing": True}), ("set_availability", {"available": True}),
                           ("close_chat", {"chat_id": "x"}), ("reopen_chat", {"chat_id": "x"})):
        assert student.call(event, payload)["error"]["code"] == "forbidden"


def test_a_connections_cookie_session_is_read_once_not_on_every_event(inprocess, monkeypatch):
    """Decoding the signed cookie on every socket event was a tenth of the relay's CPU."""
    from flask.sessions import SecureCookieSessionInterface
    app = inprocess()
    desk, _ = app.advisor("ana")
    opened = []
    real = SecureCookieSessionInterface.open_session
    monkeypatch.setattr(SecureCookieSessionInterface, "open_session",
                        lambda self, flask_app, request: opened.append(1) or real(self, flask_app, request))
    for _ in range(5):
        assert desk.call("admin_connect", {})["ok"]  # still signed in: the session is the connection's
    assert opened == []
