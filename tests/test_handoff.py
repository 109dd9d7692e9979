"""Hand-offs: escalation with a brief, takeover by one advisor at a time, typing, operator messages."""
import json
import threading

from sqlalchemy import event

import db
from conftest import ai_reply, connect_admin
from db import chats as chat_db
from fake_providers import FakeOpenAIServer, text, tool_call, tool_results
from test_broadcast import open_chat
from test_student_events import new_chat, send


def test_typing_shows_both_ways_and_the_message_sent_ends_it(live_server, connect, admin):
    student = connect(live_server.url)
    chat_id, _ = new_chat(student)
    admin.call("admin_connect", {"chat_id": chat_id})
    student.call("student_typing", {"chat_id": chat_id, "typing": True})
    assert admin.wait_for("typing", lambda t: t["who"] == "student" and t["typing"])["chat_id"] == chat_id
    send(student, chat_id, "hello")
    admin.call("admin_typing", {"chat_id": chat_id, "typing": True})
    assert student.wait_for("typing", lambda t: t["who"] == "advisor" and t["typing"])
    admin.call("admin_message", {"chat_id": chat_id, "message": "Hi!"})
    assert student.wait_for("new_message", lambda m: m["role"] == "human_operator")
    # Each page ends the indicator when the message arrives: no "typing: false" frame is sent for it.
    student.call("student_typing", {"chat_id": chat_id, "typing": False})  # a round trip later
    assert not [t for t in admin.of("typing") if t["who"] == "student" and not t["typing"]]
    assert not [t for t in student.of("typing") if t["who"] == "advisor" and not t["typing"]]
    other = connect(live_server.url)
    assert other.call("student_typing", {"chat_id": chat_id, "typing": True})["error"]["code"] == "forbidden"


def test_escalation_writes_a_brief_for_the_advisor(live_server, connect, admin, admin_session):
    student = connect(live_server.url)
    chat_id, _ = new_chat(student)
    greeting = send(student, chat_id, "Hello")
    ai_reply(student, chat_id, greeting["message"]["id"])
    send(student, chat_id, "I'm from Brazil and I want the master's in computer science for the fall 2027 intake. "
                           "My visa appointment is by December 10 and I'm really worried. Can I talk to a human?")
    brief = admin.wait_for("brief_ready", lambda b: b["chat_id"] == chat_id)["brief"]
    assert brief["facts"] == {"program": "master's in computer science", "intake": "fall 2027",
                              "country": "Brazil", "deadline": "by December 10"}
    assert brief["mood"] == "frustrated or anxious" and brief["reason"] and brief["wants"]
    stored = admin_session.get(live_server.url + f"/api/chats/{chat_id}").json()["chat"]["brief"]
    assert stored == brief


def test_the_active_model_writes_the_brief(start_server, connect):
    with FakeOpenAIServer() as fake:
        written = {"wants": "A scholarship for the MBA", "facts": {"program": "MBA", "country": "Peru"},
                   "answered": "Nothing yet.", "mood": "calm"}

        def model(request):
            if "hand-off brief" in json.dumps(request):
                return text(json.dumps(written))
            if tool_results(request):
                return text("Let me get an advisor.")
            return tool_call("human_escalation", {"reason": "Scholarship question"})
        fake.default = model
        server = start_server(OPENAI_API_KEY="k", OPENAI_BASE_URL=fake.base_url, AI_MAX_RETRIES=0)
        admin = connect_admin(connect, server, server.sign_in())
        admin.call("admin_connect", {})
        student = connect(server.url)
        chat_id, _ = new_chat(student)
        send(student, chat_id, "Is there a scholarship for the MBA? I'm from Peru.")
        brief = admin.wait_for("brief_ready", lambda b: b["chat_id"] == chat_id, timeout=20)["brief"]
        assert brief["wants"] == "A scholarship for the MBA" and brief["facts"]["country"] == "Peru"
        assert brief["model"] == "openai:gpt-4o" and brief["reason"] == "Scholarship question"


def test_two_takeovers_racing_on_mariadb_give_one_holder_and_one_taken_error(mysql_url, inprocess):
    app = inprocess(mysql_url)
    _, chat_id = open_chat(app)
    (ana_desk, ana), (bob_desk, bob) = app.advisor("ana"), app.advisor("bob")
    # Hold each writer at its UPDATE of the chat until the other is there too (or 2 s pass): code
    # that checks the holder and then writes lets both through; a locked, guarded update cannot.
    meet = threading.Barrier(2, timeout=2)

    def at_update(_conn, _cursor, statement, *_):
        if statement.lstrip().upper().startswith("UPDATE CHATS"):
            try:
                meet.wait()
            except threading.BrokenBarrierError:
                pass
    event.listen(db.get_engine(), "before_cursor_execute", at_update)
    results = {}

    def take(name, desk):
        results[name] = desk.call("toggle_human_enabled", {"chat_id": chat_id, "enabled": True})
    racers = [threading.Thread(target=take, args=(n, d)) for n, d in (("ana", ana_desk), ("bob", bob_desk))]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(30)
    event.remove(db.get_engine(), "before_cursor_execute", at_update)

    winners = [name for name, ack in results.items() if ack["ok"]]
    assert len(winners) == 1, results
    loser = "bob" if winners == ["ana"] else "ana"
    assert results[loser]["error"] == {"code": "taken", "message": f"{winners[0]} is handling this chat."}
    assert chat_db.get_chat(chat_id)["taken_by"] == {"ana": ana.id, "bob": bob.id}[winners[0]]


def test_an_operator_message_that_takes_the_chat_over_is_one_commit(mysql_url, inprocess):
    app = inprocess(mysql_url)
    student, chat_id = open_chat(app)
    desk, _ = app.advisor("ana")
    commits = []

    def count(_conn):
        commits.append(1)
    event.listen(db.get_engine(), "commit", count)
    ack = desk.call("admin_message", {"chat_id": chat_id, "message": "Hello, I'm Ana."})
    event.remove(db.get_engine(), "commit", count)
    assert ack["ok"] and len(commits) == 1
    assert chat_db.get_chat(chat_id)["status"] == "human"
    assert [m["message"] for m in student.of("new_message")] == ["An advisor has joined the chat.", "Hello, I'm Ana."]


def test_only_the_holder_hands_a_chat_back(inprocess):
    app = inprocess()
    student, chat_id = open_chat(app)
    (ana_desk, _), (bob_desk, _) = app.advisor("ana"), app.advisor("bob")
    assert ana_desk.call("toggle_human_enabled", {"chat_id": chat_id, "enabled": True})["taken_by"] == "ana"
    refused = bob_desk.call("toggle_human_enabled", {"chat_id": chat_id, "enabled": False})
    assert refused["error"]["code"] == "taken" and chat_db.get_chat(chat_id)["status"] == "human"
    back = ana_desk.call("toggle_human_enabled", {"chat_id": chat_id, "enabled": False})
    assert back["status"] == "ai" and back["taken_by"] is None
    assert bob_desk.call("toggle_human_enabled", {"chat_id": chat_id, "enabled": True})["taken_by"] == "bob"


def test_a_reply_finished_after_a_takeover_is_dropped_and_its_stream_reset(inprocess, monkeypatch):
    """An advisor who takes over while the model is thinking is not talked over."""
    from havana.runtime import runtime
    app = inprocess()
    student, chat_id = open_chat(app)
    desk, ana = app.advisor("ana")
    real_reply = runtime.chatbot.reply

    def slow_reply(chat_id_, history, active, actions, stream=None):
        stream.delta("Thinking")
        from havana.actions import handoff
        handoff.take_over_chat(chat_id_, ana)  # the advisor wins the race against the model
        return real_reply(chat_id_, history, active, actions, None)
    monkeypatch.setattr(runtime.chatbot, "reply", slow_reply)
    sent = student.call("student_message", {"chat_id": chat_id, "message": "What is the tuition?"})
    reset = student.wait_for("message_delta", lambda d: d.get("reset"))
    runtime.replies.wait(10)
    assert not [m for m in student.of("new_message") if m["role"] == "ai"]
    assert reset["stream_id"] == student.of("message_delta")[0]["stream_id"] and sent["ok"]
    assert student.of("typing")[-1] == {"chat_id": chat_id, "who": "assistant", "typing": False}  # no reply ends it
