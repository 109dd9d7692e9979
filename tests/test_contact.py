"""Contact details (validated, in the chat's language), held calls, booking limits, and the desk's calls."""
from datetime import datetime, timedelta

import pytest

import db
from conftest import wait_until
from db import bookings as booking_db, chats as chat_db
from havana.actions import analytics, bookings
from havana.runtime import runtime
from test_broadcast import open_chat

ANA = {"name": "Ana Pérez", "email": "Ana@Example.com", "phone": "+53 5 123 4567", "method": "whatsapp",
       "timezone": "Europe/Madrid"}


def save(student, chat_id, **fields):
    return student.call("save_contact", {"chat_id": chat_id, **fields})


def first_free():
    return bookings.free_slots()[0]


@pytest.mark.parametrize("lang, bad_email, bad_phone", [
    ("en", "That e-mail address doesn't look right", "in international form"),
    ("es", "Esa dirección de correo no parece correcta", "en formato internacional"),
])
def test_contact_card_refuses_bad_email_and_phone_in_the_chats_language(inprocess, lang, bad_email, bad_phone):
    app = inprocess()
    student, chat_id = open_chat(app)
    student.call("set_language", {"chat_id": chat_id, "language": lang})
    refused = save(student, chat_id, name="Ana", email="ana@@example")
    assert refused["error"]["code"] == "invalid_contact" and bad_email in refused["error"]["message"]
    refused = save(student, chat_id, name="Ana", email="ana@example.com", phone="5 123 4567", method="phone")
    assert refused["error"]["code"] == "invalid_contact" and bad_phone in refused["error"]["message"]
    assert chat_db.get_chat(chat_id)["contact_email"] is None  # nothing was stored
    assert save(student, chat_id, name="Ana", email="ana@example.com", method="nope")["error"]["code"] \
        == "invalid_payload"
    saved = save(student, chat_id, **ANA)
    assert saved["ok"] and saved["contact"] == {"name": "Ana Pérez", "email": "ana@example.com",
                                                "phone": "+5351234567", "method": "whatsapp",
                                                "timezone": "Europe/Madrid"}


def test_a_call_booked_without_contact_is_held_until_the_contact_confirms_it(inprocess):
    app = inprocess()
    student, chat_id = open_chat(app)
    desk, _ = app.advisor("ana")
    slot = bookings.book_slot(chat_id, first_free()["id"], "10.0.0.1")
    held = student.wait_for("booking_held")["booking"]
    assert held["id"] == slot["id"] and held["held_until"] and not held["confirmed"]
    assert slot["id"] not in [s["id"] for s in bookings.free_slots()]
    assert not student.of("booking_confirmed")
    saved = save(student, chat_id, **ANA)
    assert saved["booking"]["confirmed"] and saved["booking"]["held_until"] is None
    assert student.wait_for("booking_confirmed")["booking"]["id"] == slot["id"]
    assert desk.wait_for("contact_saved")["contact"]["email"] == "ana@example.com"
    call = next(c for c in bookings.slots_overview() if c["id"] == slot["id"])
    assert call["contact"]["phone"] == "+5351234567" and call["contact"]["method"] == "whatsapp"


def test_a_chat_with_contact_books_confirmed_at_once(inprocess):
    app = inprocess()
    student, chat_id = open_chat(app)
    assert save(student, chat_id, **ANA)["ok"]
    bookings.book_slot(chat_id, first_free()["id"])
    assert student.wait_for("booking_confirmed")["booking"]["confirmed"]
    assert not student.of("booking_held")


def test_an_expired_hold_frees_the_slot_for_another_chat(inprocess):
    app = inprocess(BOOKING_HOLD_MINUTES=0.01)  # 0.6 s
    first, first_id = open_chat(app)
    second, second_id = open_chat(app)
    slot = first_free()
    bookings.book_slot(first_id, slot["id"])
    wait_until(lambda: slot["id"] in [s["id"] for s in bookings.free_slots()], timeout=10)
    assert bookings.chat_booking(first_id) is None
    bookings.book_slot(second_id, slot["id"])
    assert bookings.chat_booking(second_id)["id"] == slot["id"]
    # The first student's details come too late: nothing of theirs is confirmed.
    assert save(first, first_id, **ANA)["booking"] is None
    assert booking_db.chat_of_slot(slot["id"]) == second_id


def test_one_active_booking_per_email_address(inprocess):
    app = inprocess()
    first, first_id = open_chat(app)
    second, second_id = open_chat(app)
    save(first, first_id, **ANA)
    bookings.book_slot(first_id, first_free()["id"])
    save(second, second_id, **dict(ANA, email="ANA@example.com"))
    with pytest.raises(bookings.BookingRefused) as refused:
        bookings.book_slot(second_id, first_free()["id"])
    assert refused.value.code == "email_has_booking"
    # A call held by a chat without contact cannot be confirmed with an address that has a call already.
    third, third_id = open_chat(app)
    bookings.book_slot(third_id, first_free()["id"])
    third.call("set_language", {"chat_id": third_id, "language": "es"})
    refused = save(third, third_id, **ANA)
    assert refused["error"]["code"] == "email_has_booking" and "ya tiene una llamada" in refused["error"]["message"]
    assert bookings.chat_booking(third_id)["held_until"] is not None


def test_one_client_address_holds_at_most_the_configured_calls(inprocess):
    app = inprocess(MAX_BOOKINGS_PER_ADDRESS=2)
    chats = [open_chat(app)[1] for _ in range(4)]
    bookings.book_slot(chats[0], first_free()["id"], "203.0.113.9")
    bookings.book_slot(chats[1], first_free()["id"], "203.0.113.9")
    # Moving a call keeps the count.
    bookings.book_slot(chats[1], first_free()["id"], "203.0.113.9")
    with pytest.raises(bookings.BookingRefused) as refused:
        bookings.book_slot(chats[2], first_free()["id"], "203.0.113.9")
    assert refused.value.code == "address_limit"
    bookings.book_slot(chats[3], first_free()["id"], "198.51.100.7")  # another address is served


def test_the_desk_cancels_a_batch_of_calls_in_one_action(inprocess):
    app = inprocess()
    opened = [open_chat(app) for _ in range(3)]
    slots = [bookings.book_slot(chat_id, first_free()["id"])["id"] for _, chat_id in opened]
    cancelled = bookings.cancel_bookings(slots[:2])
    assert sorted(c["id"] for c in cancelled) == sorted(slots[:2])
    for student, chat_id in opened[:2]:
        assert student.wait_for("booking_cancelled")["chat_id"] == chat_id
        assert bookings.chat_booking(chat_id) is None
    assert bookings.chat_booking(opened[2][1])["id"] == slots[2]
    # One unknown slot in the batch: nothing at all is cancelled.
    with pytest.raises(Exception):
        bookings.cancel_bookings([slots[2], slots[0]])
    assert bookings.chat_booking(opened[2][1])["id"] == slots[2]


def test_advisors_claim_calls_and_mark_outcomes_after_their_time(inprocess, monkeypatch):
    app = inprocess()
    student, chat_id = open_chat(app)
    save(student, chat_id, **ANA)
    desk, ana = app.advisor("ana")
    _, bob = app.advisor("bob")
    slot = bookings.book_slot(chat_id, first_free()["id"])
    assert bookings.claim_call(slot["id"], ana)["claimed_by"] == "ana"
    assert desk.wait_for("call_updated")["call"]["claimed_by"] == "ana"
    with pytest.raises(Exception) as taken:
        bookings.claim_call(slot["id"], bob)
    assert taken.value.code == "taken"
    assert [c["id"] for c in bookings.slots_overview(ana)] == [slot["id"]]
    assert bookings.slots_overview(bob) == []
    with pytest.raises(Exception) as early:
        bookings.set_call_outcome(slot["id"], "attended")
    assert early.value.code == "too_early"
    later = datetime.combine(slot["date"], slot["time"]) + timedelta(minutes=30)
    monkeypatch.setattr(runtime.chatbot, "now", lambda: later)
    assert bookings.set_call_outcome(slot["id"], "no_show")["outcome"] == "no_show"
    assert analytics.analytics(1)["bookings"]["no_show"] == 1
    assert bookings.set_call_outcome(slot["id"], "attended")["outcome"] == "attended"
    figures = analytics.analytics(1)["bookings"]
    assert figures["attended"] == 1 and figures["no_show"] == 0


def test_taking_over_a_chat_assigns_its_unclaimed_call(inprocess):
    app = inprocess()
    _, chat_id = open_chat(app)
    desk, ana = app.advisor("ana")
    slot = bookings.book_slot(chat_id, first_free()["id"])
    assert desk.call("toggle_human_enabled", {"chat_id": chat_id, "enabled": True})["ok"]
    assert desk.wait_for("call_updated")["call"]["id"] == slot["id"]
    assert [c["claimed_by"] for c in bookings.slots_overview(ana)] == ["ana"]


def test_a_hand_off_with_nobody_available_asks_the_student_for_contact(inprocess):
    app = inprocess(BUSINESS_HOURS="always")
    student, chat_id = open_chat(app)
    from havana.actions import handoff
    handoff.escalate_chat(chat_id, "Asked for a person: test")
    assert student.wait_for("escalation_triggered")["ask_contact"] is True
    _, other_id = open_chat(app)
    app.advisor("ana")[0].call("set_availability", {"available": True})
    handoff.escalate_chat(other_id, "Asked for a person: test")
    assert app.sockets[1].wait_for("escalation_triggered", lambda e: e["chat_id"] == other_id)["ask_contact"] is False
