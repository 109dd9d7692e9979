"""Several processes sharing MariaDB and Redis behave as one desk."""
import signal
import time
import uuid

import pytest
import redis

from conftest import Recorder, ai_reply, connect_admin, wait_until
from fake_providers import FakeOpenAIServer, text
from test_student_events import new_chat, send


@pytest.fixture
def redis_url():
    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError:
        from conftest import REQUIRE_MYSQL, unavailable
        unavailable("Redis at 127.0.0.1:6379", REQUIRE_MYSQL)
    return url


def test_a_student_on_one_process_and_an_admin_on_another_see_every_event(start_server, connect, mysql_url,
                                                                          redis_url):
    shared = dict(database_url=mysql_url, REDIS_URL=redis_url, SOCKETIO_CHANNEL=f"havana-test-{uuid.uuid4().hex}")
    first, second = start_server(**shared), start_server(**shared)
    session = second.sign_in(password=first.first_admin_password())
    admin = connect_admin(connect, second, session)
    assert admin.call("admin_connect", {})["ok"]
    student = connect(first.url)

    chat_id, token = new_chat(student)
    assert admin.wait_for("chat_created", lambda e: e["chat_id"] == chat_id)
    asked = send(student, chat_id, "What is the tuition for graduate students?")
    assert admin.wait_for("new_message", lambda m: m["id"] == asked["message"]["id"])
    assert "$18,500" in ai_reply(admin, chat_id, asked["message"]["id"])["message"]

    send(student, chat_id, "I want to talk to a human")
    assert admin.wait_for("escalation_triggered", lambda e: e["chat_id"] == chat_id)["status"] == "waiting_human"

    admin.call("admin_connect", {"chat_id": chat_id})
    assert student.wait_for("admin_status_changed", lambda e: e["advisors_online"] == 1)
    admin.call("toggle_human_enabled", {"chat_id": chat_id, "enabled": True})
    assert student.wait_for("human_enabled_changed")["is_human_enabled"] is True
    admin.call("admin_message", {"chat_id": chat_id, "message": "Hello from the other process"})
    assert student.wait_for("new_message", lambda m: m["role"] == "human_operator")["message"] == \
        "Hello from the other process"

    response = session.post(second.url + "/api/model", json={"model": "local"},
                            headers={"X-CSRFToken": session.csrf_token})
    assert response.status_code == 200
    assert admin.wait_for("model_changed")["active"] == "local"

    # A third process started later sees the same state: chats, history, presence, model.
    third = start_server(**shared)
    late = third.sign_in(password=first.first_admin_password())
    detail = late.get(third.url + f"/api/chats/{chat_id}").json()
    assert detail["chat"]["status"] == "human" and detail["chat"]["viewers"] == ["admin"]
    assert [m["role"] for m in detail["messages"]].count("human_operator") == 1
    assert late.get(third.url + "/api/model").json()["active"] == "local"
    watcher = connect_admin(connect, third, late)
    watcher.call("admin_connect", {})
    more = send(student, chat_id, "Thanks!")
    assert watcher.wait_for("new_message", lambda m: m["id"] == more["message"]["id"])


def test_one_chats_replies_stay_in_order_across_processes(start_server, connect, mysql_url, redis_url):
    shared = dict(database_url=mysql_url, REDIS_URL=redis_url, SOCKETIO_CHANNEL=f"havana-test-{uuid.uuid4().hex}")
    first, second = start_server(**shared), start_server(**shared)
    tab_a, tab_b = connect(first.url), connect(second.url)
    chat_id, token = new_chat(tab_a)
    assert tab_b.call("student_connect", {"chat_id": chat_id, "token": token})["ok"]
    one = send(tab_a, chat_id, "What is the tuition for graduate students?")
    two = send(tab_b, chat_id, "When is the application deadline for the fall intake?")
    ai_reply(tab_a, chat_id, two["message"]["id"])
    # One more turn: its reply waits for the chat's lock, so a racing reply to the first two would be in by then.
    three = send(tab_b, chat_id, "Thanks!")
    ai_reply(tab_a, chat_id, three["message"]["id"])
    history = tab_a.call("student_connect", {"chat_id": chat_id, "token": token})["messages"]
    roles = [m["role"] for m in history if m["id"] < three["message"]["id"]]
    # Each reply answers what came before it; never two replies to the same turn.
    assert roles in (["human", "human", "ai"], ["human", "ai", "human", "ai"]), roles
    assert one["message"]["id"] < two["message"]["id"]


DESK_EVENTS = {"new_message", "chat_created", "typing", "message_delta", "escalation_triggered", "queue_status",
               "admin_status_changed", "human_enabled_changed", "model_changed"}


def test_a_signed_out_advisors_socket_on_another_process_is_disconnected_and_hears_nothing(
        start_server, connect, mysql_url, redis_url):
    # ADMIN_RECHECK_SECONDS and the sweep are far away: only the sign-out itself can end the socket in time.
    shared = dict(database_url=mysql_url, REDIS_URL=redis_url, SOCKETIO_CHANNEL=f"havana-test-{uuid.uuid4().hex}",
                  ADMIN_RECHECK_SECONDS=60, ADVISOR_SWEEP_SECONDS=600)
    first, second = start_server(**shared), start_server(**shared)
    session = first.sign_in(password=first.first_admin_password())
    desk = connect_admin(connect, second, session)  # the same session, on the other process
    assert desk.call("admin_connect", {})["ok"]
    student = connect(first.url)
    chat_id, _ = new_chat(student)
    desk.wait_for("chat_created", lambda e: e["chat_id"] == chat_id)

    assert session.post(first.url + "/logout", data={"csrf_token": session.csrf_token}).ok
    heard = len(desk.events)
    signed_out = time.monotonic()
    send(student, chat_id, "I want to talk to a human")
    new_chat(student)
    wait_until(lambda: not desk.client.connected, timeout=1)
    assert time.monotonic() - signed_out < 1
    assert [name for name, _ in desk.events[heard:] if name in DESK_EVENTS] == []


def test_the_sweep_disconnects_the_sockets_of_a_deleted_advisor_account(start_server, connect, mysql_url):
    from sqlalchemy import create_engine, text
    server = start_server(database_url=mysql_url, ADVISOR_SWEEP_SECONDS=0.5)
    desk = connect_admin(connect, server, server.sign_in())
    assert desk.call("admin_connect", {})["ok"]
    engine = create_engine(mysql_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE admins SET deleted_at = NOW() WHERE username = 'admin'"))
    engine.dispose()
    wait_until(lambda: not desk.client.connected, timeout=3)


def test_a_process_killed_mid_reply_costs_seconds_and_does_not_delay_other_chats(start_server, connect, mysql_url,
                                                                                 redis_url):
    with FakeOpenAIServer() as fake:
        fake.default = lambda request: text("Answered by the survivor.")
        fake.latency = 60  # the first process is mid-reply when it dies
        shared = dict(database_url=mysql_url, REDIS_URL=redis_url, SOCKETIO_CHANNEL=f"havana-test-{uuid.uuid4().hex}",
                      OPENAI_API_KEY="k", OPENAI_BASE_URL=fake.base_url, AI_MAX_RETRIES=0,
                      AI_MAX_CONCURRENT_REPLIES=1)
        doomed, survivor = start_server(**shared), start_server(**shared)
        student = Recorder(doomed.url)
        chat_id, token = new_chat(student)
        pending = send(student, chat_id, "What is the tuition for graduate students?")
        wait_until(lambda: fake.requests)  # the reply is in flight, holding the chat's lock
        doomed.process.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        doomed.process.wait(5)
        student.client.disconnect()
        fake.latency = 0

        # The page reconnects to the other process, which finds the message unanswered.
        again = connect(survivor.url)
        assert again.call("student_connect", {"chat_id": chat_id, "token": token})["ok"]
        # Meanwhile a new chat on that process is answered at once: the reply waiting for the
        # dead process's lock holds no reply slot (there is one).
        other = connect(survivor.url)
        other_id, _ = new_chat(other)
        asked = send(other, other_id, "Hello?")
        started = time.monotonic()
        ai_reply(other, other_id, asked["message"]["id"], timeout=5)
        assert time.monotonic() - started < 5

        reply = ai_reply(again, chat_id, pending["message"]["id"], timeout=20)
        assert reply["message"] == "Answered by the survivor."
        assert time.monotonic() - killed_at < 15
        history = again.call("student_connect", {"chat_id": chat_id, "token": token})["messages"]
        assert [m["role"] for m in history] == ["human", "ai"]
