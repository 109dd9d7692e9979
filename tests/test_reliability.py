"""Fault injection: database outages, killed and stopped servers, failing providers.

(Booking races: tests/test_db.py, 50 and 200 chats for one slot.)
"""
import signal
import time

import pytest
import requests
from sqlalchemy import create_engine, text as sql
from sqlalchemy.engine import make_url

from conftest import Recorder, ai_reply, wait_until
from fake_providers import FakeOpenAIServer, error, garbage, sleep, text, tool_call
from tcp_proxy import TcpProxy
from test_student_events import new_chat, send


@pytest.fixture
def db_behind_proxy(mysql_url):
    """A migrated MariaDB database reached through a proxy the test can cut."""
    url = make_url(mysql_url)
    proxy = TcpProxy(url.host, url.port)
    yield proxy, url.set(port=proxy.port).render_as_string(hide_password=False)
    proxy.close()


def history_of(client, chat_id, token):
    return client.call("student_connect", {"chat_id": chat_id, "token": token})["messages"]


def test_database_outage_reports_unsaved_messages_and_recovers_without_restart(start_server, connect,
                                                                               db_behind_proxy):
    proxy, url = db_behind_proxy
    server = start_server(database_url=url, DB_POOL_TIMEOUT=3)
    student = connect(server.url)
    chat_id, token = new_chat(student)
    first = send(student, chat_id, "Hello", "c-1")
    ai_reply(student, chat_id, first["message"]["id"])

    proxy.cut()
    during = send(student, chat_id, "Are you there?", "c-2")
    assert during == {"ok": False, "error": {"code": "unavailable",
                                             "message": "We couldn't save that right now. Please try again in a moment."}}
    assert student.client.connected

    proxy.restore()
    retried = send(student, chat_id, "Are you there?", "c-2")  # the page retries with the same client id
    assert retried["ok"]
    again = send(student, chat_id, "Are you there?", "c-2")
    assert again["message"]["id"] == retried["message"]["id"]
    ai_reply(student, chat_id, retried["message"]["id"])
    texts = [m["message"] for m in history_of(student, chat_id, token) if m["role"] == "human"]
    assert texts == ["Hello", "Are you there?"]


UNAVAILABLE = {"code": "unavailable", "message": "We couldn't save that right now. Please try again in a moment."}


def lock_chat_row(mysql_url, chat_id, wait=1):
    """A direct connection (no proxy) that holds the chat's row lock; raises if not granted within `wait` s."""
    engine = create_engine(mysql_url, connect_args={"use_pure": True})
    conn = engine.connect()
    conn.execute(sql(f"SET SESSION innodb_lock_wait_timeout = {wait}"))
    conn.execute(sql("SELECT id FROM chats WHERE id = :id FOR UPDATE"), {"id": chat_id})
    return engine, conn


def test_a_silent_network_inside_a_row_lock_answers_unavailable_in_time_and_leaves_no_lock(
        start_server, connect, mysql_url, db_behind_proxy):
    proxy, url = db_behind_proxy
    server = start_server(database_url=url, DB_TIMEOUT=2, DB_LOCK_WAIT_TIMEOUT=1)
    student = connect(server.url)
    chat_id, _ = new_chat(student)
    first = send(student, chat_id, "Hello", "c-1")
    ai_reply(student, chat_id, first["message"]["id"])

    # The statement that locks the chat row reaches MariaDB; from then on the network drops
    # everything and closes nothing: the lock is held by a session whose client hears no answer.
    proxy.silence_after(b"FOR UPDATE")
    started = time.monotonic()
    during = student.call("student_message", {"chat_id": chat_id, "message": "Still there?", "client_id": "c-2"},
                          timeout=15)
    assert during == {"ok": False, "error": UNAVAILABLE}
    assert time.monotonic() - started < 2 + 2  # DB_TIMEOUT, plus scheduling
    assert proxy.silent

    engine, conn = lock_chat_row(mysql_url, chat_id, wait=2)  # raises 1205 if the lock outlived the request
    conn.rollback()
    conn.close()
    engine.dispose()

    proxy.restore()
    retried = send(student, chat_id, "Still there?", "c-2")
    assert retried["ok"], retried


def test_a_row_lock_held_elsewhere_answers_unavailable_after_the_lock_wait_timeout(start_server, connect, mysql_url):
    server = start_server(database_url=mysql_url, DB_LOCK_WAIT_TIMEOUT=1)
    student = connect(server.url)
    chat_id, _ = new_chat(student)
    engine, conn = lock_chat_row(mysql_url, chat_id)
    try:
        started = time.monotonic()
        during = send(student, chat_id, "Hello?", "c-1")
        assert during == {"ok": False, "error": UNAVAILABLE}  # retried by the page, not "internal"
        assert time.monotonic() - started < 1 + 2
    finally:
        conn.rollback()
        conn.close()
        engine.dispose()
    assert send(student, chat_id, "Hello?", "c-1")["ok"]


def test_the_student_page_loads_while_the_database_is_down_and_its_socket_says_so(start_server, connect,
                                                                                  db_behind_proxy):
    proxy, url = db_behind_proxy
    server = start_server(database_url=url, DB_POOL_TIMEOUT=3, ADMIN_RECHECK_SECONDS=0)
    advisor = server.sign_in()
    proxy.cut()
    api = advisor.get(server.url + "/api/model", timeout=10)  # the desk's calls: retry later, not "internal"
    assert api.status_code == 503 and api.json()["error"] == UNAVAILABLE
    page = requests.get(server.url + "/", timeout=10)
    assert page.status_code == 200 and 'id="chat-subtitle"' in page.text, page.status_code
    student = connect(server.url)
    assert student.call("student_connect", {}) == {"ok": False, "error": UNAVAILABLE}
    proxy.restore()
    assert student.call("student_connect", {})["ok"]


def test_a_killed_server_restarts_and_clients_resync_with_nothing_lost(start_server, tmp_path):
    with FakeOpenAIServer() as fake:
        fake.latency = 5  # the reply is in flight when the server dies
        env = dict(database_url=f"sqlite:///{tmp_path / 'kill.sqlite3'}", OPENAI_API_KEY="k",
                   OPENAI_BASE_URL=fake.base_url, AI_MAX_RETRIES=0)
        server = start_server(**env)
        student = Recorder(server.url)
        chat_id, token = new_chat(student)
        sent = send(student, chat_id, "What is the tuition for graduate students?")
        wait_until(lambda: fake.requests)  # the reply is in flight
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(5)
        student.close()

        fake.latency = 0
        fake.default = lambda request: text("Graduate tuition is $18,500 per year.")
        server.start()  # same port, same database
        again = Recorder(server.url)
        resumed = again.call("student_connect", {"chat_id": chat_id, "token": token,
                                                 "last_message_id": sent["message"]["id"]})
        assert resumed["ok"]
        reply = ai_reply(again, chat_id, sent["message"]["id"])  # the unanswered message is answered
        assert "$18,500" in reply["message"]
        roles = [m["role"] for m in history_of(again, chat_id, token)]
        assert roles == ["human", "ai"]
        again.close()


def test_sigterm_finishes_replies_in_flight_then_exits(start_server, tmp_path):
    with FakeOpenAIServer() as fake:
        fake.latency = 2
        fake.default = lambda request: text("Finished before shutdown.")
        server = start_server(database_url=f"sqlite:///{tmp_path / 'term.sqlite3'}", OPENAI_API_KEY="k",
                              OPENAI_BASE_URL=fake.base_url, AI_MAX_RETRIES=0)
        student = Recorder(server.url)
        chat_id, token = new_chat(student)
        send(student, chat_id, "Hello?")
        wait_until(lambda: fake.requests)  # the reply is in flight
        server.process.send_signal(signal.SIGTERM)
        wait_until(lambda: _refused(server.url + "/healthz"))  # no longer accepting...
        assert server.process.poll() is None  # ...while the reply is still being finished
        assert server.process.wait(20) == 0
        student.close()
        server.start()
        after = Recorder(server.url)
        messages = history_of(after, chat_id, token)
        assert [m["message"] for m in messages if m["role"] == "ai"] == ["Finished before shutdown."]
        after.close()


def _refused(url):
    try:
        requests.get(url, timeout=2)
    except requests.ConnectionError:
        return True
    return False


@pytest.mark.parametrize("fault", [error(500), error(429), sleep(3, text("late")), garbage(),
                                   tool_call("book_time_slot", '{"slot_id": '), tool_call("nope", {})],
                         ids=["500", "429", "timeout", "garbage", "broken-tool-json", "unknown-tool"])
def test_provider_faults_still_give_the_student_a_reply(start_server, connect, fault):
    with FakeOpenAIServer() as fake:
        fake.queue(fault)
        fake.default = lambda request: text("Recovered answer.")
        server = start_server(OPENAI_API_KEY="k", OPENAI_BASE_URL=fake.base_url, AI_MAX_RETRIES=0,
                              AI_TIMEOUT=1)
        student = connect(server.url)
        chat_id, _ = new_chat(student)
        sent = send(student, chat_id, "What is the tuition for graduate students?")
        reply = ai_reply(student, chat_id, sent["message"]["id"], timeout=20)
        assert reply["message"] in ("Recovered answer.",) or "$18,500" in reply["message"]
        if fault.kind in ("error", "sleep", "garbage"):
            assert "failed for chat " + chat_id in server.output()


class ConcurrencyCountingOpenAI(FakeOpenAIServer):
    """Records the most requests it was ever answering at once."""

    busy = most = 0

    def _handle(self, h):
        with self._lock:
            self.busy += 1
            self.most = max(self.most, self.busy)
        try:
            return super()._handle(h)
        finally:
            with self._lock:
                self.busy -= 1


def test_past_the_reply_limit_students_wait_their_turn_and_every_reply_arrives(start_server, connect):
    with ConcurrencyCountingOpenAI(latency=0.3) as fake:
        fake.default = lambda request: text("Your turn now.")
        server = start_server(OPENAI_API_KEY="k", OPENAI_BASE_URL=fake.base_url, AI_MAX_RETRIES=0,
                              AI_MAX_CONCURRENT_REPLIES=2)
        students = [connect(server.url) for _ in range(6)]
        chats = [new_chat(student)[0] for student in students]
        sent = [send(student, chat_id, "Hello?") for student, chat_id in zip(students, chats)]
        for student, chat_id, message in zip(students, chats, sent):
            assert ai_reply(student, chat_id, message["message"]["id"])["message"] == "Your turn now."
        assert fake.most == 2
