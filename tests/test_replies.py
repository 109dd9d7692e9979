"""AI replies: streamed as they are produced, one chat at a time, stored with their sources."""
import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import event

import db
from conftest import ai_reply, wait_until
from db import history as history_db
from havana.actions import bookings
from havana.actions import replies
from havana.actions.replies import AgentActions, ReplyStream
from havana.runtime import runtime
from test_broadcast import open_chat
from test_student_events import new_chat, send


@dataclass
class QuotingReply:
    """A reply as the agent returns it, quoting two knowledge-base sections."""
    text: str
    model: str = "local"
    calls: list = field(default_factory=list)
    sources: list = field(default_factory=lambda: ["Tuition and fees", "Graduate programs"])


def test_replies_stream_as_deltas_then_arrive_whole(live_server, connect, admin):
    student = connect(live_server.url)
    chat_id, _ = new_chat(student)
    admin.call("admin_connect", {"chat_id": chat_id})
    sent = send(student, chat_id, "What is the tuition for graduate students?")
    reply = ai_reply(student, chat_id, sent["message"]["id"])
    deltas = [d for d in student.of("message_delta") if d["stream_id"] == reply["stream_id"]]
    assert deltas and "".join(d["delta"] for d in deltas).strip() == reply["message"]
    assert admin.wait_for("message_delta", lambda d: d["stream_id"] == reply["stream_id"])


def test_an_ai_reply_keeps_the_sections_it_quotes_for_both_audiences(inprocess, monkeypatch):
    app = inprocess()
    student, chat_id = open_chat(app)
    desk, _ = app.advisor("ana")
    monkeypatch.setattr(runtime.chatbot, "reply", lambda *args: QuotingReply("Graduate tuition is $18,500."))
    student.call("student_message", {"chat_id": chat_id, "message": "How much is the master's?"})
    reply = student.wait_for("new_message", lambda m: m["role"] == "ai")
    assert reply["source"] == "Tuition and fees · Graduate programs"
    assert desk.wait_for("new_message", lambda m: m["role"] == "ai")["source"] == reply["source"]
    assert history_db.messages_after(chat_id)[-1]["source"] == reply["source"]
    detail = desk.call("admin_connect", {"chat_id": chat_id})
    assert detail["messages"][-1]["source"] == reply["source"] and detail["messages"][0]["source"] is None


def test_the_agent_sees_system_notices_in_the_history(inprocess, monkeypatch):
    app = inprocess()
    student, chat_id = open_chat(app)
    bookings.book_slot(chat_id, bookings.free_slots()[0]["id"])
    seen = []

    def reply(chat_id_, history, *args):
        seen.append([m["role"] for m in history])
        return QuotingReply("Your call is booked.", sources=[])
    monkeypatch.setattr(runtime.chatbot, "reply", reply)
    student.call("student_message", {"chat_id": chat_id, "message": "Is my call booked?"})
    assert student.wait_for("new_message", lambda m: m["role"] == "ai")["source"] is None
    assert seen == [["system", "human"]]


def test_the_agent_reads_and_cancels_its_own_chats_booking(inprocess):
    app = inprocess()
    student, chat_id = open_chat(app)
    other, other_chat = open_chat(app)
    desk, _ = app.advisor("ana")
    actions = AgentActions(runtime.chatbot)
    assert actions.my_booking(chat_id) is None and actions.cancel_my_booking(chat_id) is None
    slot, theirs = bookings.free_slots()[:2]
    actions.book(chat_id, slot["id"])
    actions.book(other_chat, theirs["id"])
    assert actions.my_booking(chat_id)["id"] == slot["id"]
    cancelled = actions.cancel_my_booking(chat_id)
    assert cancelled["id"] == slot["id"] and actions.my_booking(chat_id) is None
    assert actions.my_booking(other_chat)["id"] == theirs["id"]  # only its own chat's booking
    assert student.wait_for("booking_cancelled")["booking"]["id"] == slot["id"]
    assert desk.wait_for("booking_cancelled", lambda b: b["chat_id"] == chat_id)
    assert student.wait_for("new_message", lambda m: m["role"] == "system" and "cancelled" in m["message"])
    assert not other.of("booking_cancelled")


def test_per_chat_reply_locks_are_released_once_the_chat_is_idle(inprocess):
    app = inprocess()
    students = [open_chat(app) for _ in range(5)]
    for student, chat_id in students:
        student.call("student_message", {"chat_id": chat_id, "message": "What is the tuition for graduate students?"})
    for student, chat_id in students:
        student.wait_for("new_message", lambda m: m["role"] == "ai")
    wait_until(lambda: runtime.replies.in_flight == 0)
    assert runtime.replies.chat_locks_held() == 0


def test_a_lone_message_and_its_reply_take_two_transactions(inprocess):
    app = inprocess()
    student, chat_id = open_chat(app)
    student.call("student_message", {"chat_id": chat_id, "message": "What is the tuition for graduate students?"})
    student.wait_for("new_message", lambda m: m["role"] == "ai")
    runtime.replies.wait(10)
    begun = []
    count = lambda _conn: begun.append(1)  # noqa: E731
    event.listen(db.get_engine(), "begin", count)
    try:
        student.call("student_message", {"chat_id": chat_id, "message": "And for undergraduates?"})
        wait_until(lambda: len([m for m in student.of("new_message") if m["role"] == "ai"]) == 2)
        runtime.replies.wait(10)
    finally:
        event.remove(db.get_engine(), "begin", count)
    # the student's message (with what the reply reads), the reply: no transaction of reads between
    assert len(begun) == 2


def test_a_message_sent_while_the_last_is_answered_is_answered_with_that_answer_in_view(inprocess, monkeypatch):
    app = inprocess()
    student, chat_id = open_chat(app)
    first_started, release, seen = threading.Event(), threading.Event(), []

    def reply(chat_id_, history, *args, **kwargs):
        seen.append([m["message"] for m in history])
        if len(seen) == 1:
            first_started.set()
            release.wait(10)
        return QuotingReply(f"answer {len(seen)}", sources=[])
    monkeypatch.setattr(runtime.chatbot, "reply", reply)
    student.call("student_message", {"chat_id": chat_id, "message": "first"})
    assert first_started.wait(10)
    student.call("student_message", {"chat_id": chat_id, "message": "second"})
    release.set()
    wait_until(lambda: len([m for m in student.of("new_message") if m["role"] == "ai"]) == 2)
    assert seen == [["first"], ["first", "second", "answer 1"]]


def _streamed(app, monkeypatch, chunks, pause=0.0):
    """A reply written in `chunks`, `pause` seconds apart: the student's events once it is stored."""
    student, chat_id = open_chat(app)

    def reply(chat_id_, history, active, actions, stream=None):
        for chunk in chunks:
            stream.delta(chunk)
            time.sleep(pause)
        return QuotingReply("".join(chunks), sources=[])
    monkeypatch.setattr(runtime.chatbot, "reply", reply)
    student.call("student_message", {"chat_id": chat_id, "message": "Tell me about the programs"})
    student.wait_for("new_message", lambda m: m["role"] == "ai")
    runtime.replies.wait(10)
    return student.events


def test_a_reply_in_many_tiny_chunks_reaches_the_student_in_a_few_deltas_then_whole(inprocess, monkeypatch):
    events = _streamed(inprocess(), monkeypatch, [f"word{i} " for i in range(30)])
    deltas = [data["delta"] for name, data in events if name == "message_delta"]
    final = [data for name, data in events if name == "new_message" and data["role"] == "ai"]
    assert 1 <= len(deltas) <= 3 and "".join(deltas) == final[0]["message"]
    assert events[-1] == ("new_message", final[0])  # after every delta, and no "typing: false" follows it


def test_a_slow_model_still_streams_several_times_a_second(inprocess, monkeypatch):
    events = _streamed(inprocess(), monkeypatch, [f"w{i} " for i in range(30)], pause=0.02)
    deltas = [data["delta"] for name, data in events if name == "message_delta"]
    final = [data for name, data in events if name == "new_message" and data["role"] == "ai"]
    assert 5 <= len(deltas) <= 20 and "".join(deltas) == final[0]["message"]


def test_a_stored_reply_ends_the_assistants_typing_without_a_typing_false(inprocess):
    app = inprocess()
    student, chat_id = open_chat(app)
    desk, _ = app.advisor("ana")
    assert desk.call("admin_connect", {"chat_id": chat_id})["ok"]
    student.call("student_message", {"chat_id": chat_id, "message": "What is the tuition for graduate students?"})
    student.wait_for("new_message", lambda m: m["role"] == "ai")
    runtime.replies.wait(10)
    for viewer in (student, desk):
        assert [t["typing"] for t in viewer.of("typing") if t["who"] == "assistant"] == [True]
    assert not [t for t in desk.of("typing") if t["who"] == "student"]  # the student's message says it


def test_reply_stream_joins_chunks_up_to_a_size_and_a_reset_drops_what_waits(monkeypatch):
    sent = []
    monkeypatch.setattr(replies.broadcast, "message_delta", lambda chat_id, stream_id, delta=None: sent.append(delta))
    stream = ReplyStream("c")
    stream.delta("first")
    for _ in range(25):
        stream.delta("x" * 10)
    stream.delta("dropped")
    stream.reset()
    stream.delta("after")
    stream.delta(" more")
    stream.flush()
    stream.flush()
    assert sent[:2] == ["first", "x" * replies.DELTA_CHARS] and sent[2] is None
    assert "".join(s for s in sent[3:]) == "after more" and "dropped" not in "".join(s for s in sent if s)


def test_a_message_is_answered_once_a_reply_had_it_in_view_an_advisor_wrote_or_a_later_one_waits():
    def answered(*later):
        history = [{"id": 1, "role": "human", "client_id": None}, *later]
        return replies.ReplyContext({"status": "ai"}, 1, history, {}).answered
    assert not answered()
    assert not answered({"id": 2, "role": "ai", "client_id": "reply-to:0"})  # written without it in view
    assert answered({"id": 2, "role": "ai", "client_id": "reply-to:1"})
    assert answered({"id": 2, "role": "ai", "client_id": None})  # a reply stored before replies named their view
    assert answered({"id": 2, "role": "human_operator", "client_id": "c1"})
    assert answered({"id": 2, "role": "human", "client_id": "c2"})  # its reply will see both
