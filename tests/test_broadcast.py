"""Who receives what, and when: events leave after the outermost COMMIT, never after a rollback,
and a student's connection never receives an advisor's account name, internal reasons or the brief."""
import pytest

import db
from conftest import wait_until
from db import chats as chat_db
from havana.actions import bookings, chats, handoff

# Fields that exist for advisors only.
DESK_ONLY = {"author", "by", "taken_by", "escalation_reason", "reason", "brief", "viewers", "note",
             "rating_comment", "unread", "last_message"}


class Boom(Exception):
    pass


def open_chat(app):
    student = app.student()
    ack = student.call("student_connect", {})
    assert ack["ok"], ack
    return student, ack["chat"]["id"]


def test_an_actions_events_leave_only_after_the_outermost_commit(database_url, inprocess):
    app = inprocess(database_url)
    student, chat_id = open_chat(app)
    desk, ana = app.advisor("ana")
    before = len(desk.events)
    with db.transaction():
        handoff.take_over_chat(chat_id, ana)
        assert student.events == [] and len(desk.events) == before  # committed nothing yet, sent nothing
    assert student.wait_for("human_enabled_changed")["status"] == "human"
    assert desk.wait_for("human_enabled_changed")["taken_by"] == "ana"


def test_a_rolled_back_action_sends_nothing_and_changes_nothing(database_url, inprocess):
    app = inprocess(database_url)
    student, chat_id = open_chat(app)
    desk, ana = app.advisor("ana")
    before = len(desk.events)
    with pytest.raises(Boom):
        with db.transaction():
            handoff.take_over_chat(chat_id, ana)
            raise Boom
    assert chat_db.get_chat(chat_id)["status"] == "ai"
    assert student.events == [] and len(desk.events) == before


def test_an_action_that_fails_half_way_changes_nothing_and_sends_nothing(database_url, inprocess, monkeypatch):
    """The database goes away after the takeover is written but before its notice: all or nothing."""
    app = inprocess(database_url)
    student, chat_id = open_chat(app)
    desk, _ = app.advisor("ana")
    before = len(desk.events)

    def cut(*args, **kwargs):
        raise db.DatabaseUnavailable("OperationalError")
    monkeypatch.setattr("db.history.add_message", cut)
    ack = desk.call("toggle_human_enabled", {"chat_id": chat_id, "enabled": True})
    assert ack["error"]["code"] == "unavailable"
    assert chat_db.get_chat(chat_id)["status"] == "ai" and chat_db.get_chat(chat_id)["taken_by"] is None
    assert student.events == []
    assert [name for name, _ in desk.events[before:]] == ["error"]


def _desk_only_fields(payload, path="payload"):
    """Every desk-only key anywhere in a payload, with where it was."""
    found = []
    if isinstance(payload, dict):
        for key, value in payload.items():
            if key in DESK_ONLY:
                found.append(f"{path}.{key}")
            found += _desk_only_fields(value, f"{path}.{key}")
    elif isinstance(payload, list):
        for i, item in enumerate(payload):
            found += _desk_only_fields(item, f"{path}[{i}]")
    return found


def test_a_students_events_never_carry_desk_only_fields_through_a_whole_conversation(inprocess):
    app = inprocess(BUSINESS_HOURS="always")
    student = app.student()
    connected = student.call("student_connect", {})
    chat_id, token = connected["chat"]["id"], connected["token"]
    desk, maria = app.advisor("maria.lopez", display_name="Maria from Admissions")
    acks = [connected]

    acks.append(student.call("student_message", {"chat_id": chat_id, "message": "I want to talk to a human"}))
    student.wait_for("escalation_triggered")
    desk.wait_for("brief_ready", lambda b: b["chat_id"] == chat_id)
    assert desk.call("admin_connect", {"chat_id": chat_id})["ok"]
    desk.call("admin_typing", {"chat_id": chat_id, "typing": True})
    assert desk.call("toggle_human_enabled", {"chat_id": chat_id, "enabled": True})["ok"]
    operator = desk.call("admin_message", {"chat_id": chat_id, "message": "Hola, soy Maria."})
    assert operator["message"]["author"] == "maria.lopez"  # the desk keeps the account name
    assert desk.call("toggle_human_enabled", {"chat_id": chat_id, "enabled": False})["ok"]
    slot = bookings.free_slots()[0]
    bookings.book_slot(chat_id, slot["id"])
    acks.append(student.call("save_contact", {"chat_id": chat_id, "name": "Ana", "email": "ana@example.com"}))
    bookings.cancel_booking(slot["id"])
    assert desk.call("close_chat", {"chat_id": chat_id})["ok"]
    acks.append(student.call("rate_chat", {"chat_id": chat_id, "rating": 5, "comment": "Thanks"}))
    acks.append(student.call("student_message", {"chat_id": chat_id, "message": "One more thing"}))
    student.wait_for("chat_reopened")
    acks.append(student.call("student_connect", {"chat_id": chat_id, "token": token}))

    names = {name for name, _ in student.events}
    assert {"escalation_triggered", "human_enabled_changed", "new_message", "typing", "booking_held",
            "contact_saved", "booking_confirmed", "booking_cancelled", "chat_closed", "chat_reopened", "admin_status_changed", "queue_status"} <= names
    assert "brief_ready" not in names and "chat_created" not in names and "call_updated" not in names
    for name, payload in student.events:
        assert _desk_only_fields(payload) == [], (name, payload)
        assert "maria.lopez" not in repr(payload), (name, payload)
    for ack in acks:
        assert ack["ok"] and _desk_only_fields(ack) == [] and "maria.lopez" not in repr(ack), ack
    written = student.wait_for("new_message", lambda m: m["role"] == "human_operator")
    assert written["author_name"] == "Maria from Admissions"
    took_over = student.wait_for("human_enabled_changed", lambda e: e["status"] == "human")
    assert took_over["author_name"] == "Maria from Admissions"


def test_an_advisor_without_a_display_name_is_shown_as_admissions_advisor(inprocess):
    app = inprocess()
    student, chat_id = open_chat(app)
    desk, _ = app.advisor("bob")
    desk.call("admin_message", {"chat_id": chat_id, "message": "Hi there"})
    written = student.wait_for("new_message", lambda m: m["role"] == "human_operator")
    assert written["author_name"] == "Admissions advisor" and "author" not in written
    assert desk.wait_for("new_message", lambda m: m["role"] == "human_operator")["author"] == "bob"


def test_a_new_chat_reaches_the_desk_and_its_student_only_through_the_ack(inprocess):
    app = inprocess()
    desk, _ = app.advisor("ana")
    student, chat_id = open_chat(app)
    assert desk.wait_for("chat_created", lambda c: c["chat_id"] == chat_id)["chat"]["status"] == "ai"
    chats.student_typing(chat_id, True)  # anything sent later arrives after whatever connect sent
    wait_until(lambda: desk.of("typing"))
    assert student.events == []
