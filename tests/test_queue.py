"""The advisors' queue: where a waiting student stands, and what happens when nobody is there."""
from conftest import ai_reply, connect_admin
from test_student_events import new_chat, send


def test_queue_position_and_estimate_after_a_hand_off(start_server, connect):
    server = start_server(BUSINESS_HOURS="always", AVG_HANDLE_MINUTES=4)
    admin = connect_admin(connect, server, server.sign_in())
    admin.call("admin_connect", {})
    assert admin.call("set_availability", {"available": True})["available_now"] is True
    first, second = connect(server.url), connect(server.url)
    first_chat, _ = new_chat(first)
    second_chat, _ = new_chat(second)
    send(first, first_chat, "I want to talk to a human")
    first.wait_for("queue_status", lambda q: q["position"] == 1)
    send(second, second_chat, "Can I speak to an advisor please?")
    status = second.wait_for("queue_status", lambda q: q["position"] == 2)
    assert status == {"chat_id": second_chat, "position": 2, "estimated_minutes": 8, "available_now": True,
                      "open_now": True}
    admin.call("toggle_human_enabled", {"chat_id": first_chat, "enabled": True})
    second.wait_for("queue_status", lambda q: q["position"] == 1 and q["estimated_minutes"] == 4)


def test_with_nobody_available_the_assistant_offers_calls_at_once(start_server, connect):
    server = start_server(BUSINESS_HOURS="always")  # open, but no advisor has said they are available
    student = connect(server.url)
    chat_id, _ = new_chat(student)
    sent = send(student, chat_id, "I want to talk to a human")
    reply = ai_reply(student, chat_id, sent["message"]["id"])
    assert reply["message"].startswith("No advisor is available to chat right now")
    assert "free advisor call slots" in reply["message"]
    assert student.wait_for("escalation_triggered")["ask_contact"] is True  # the page shows the contact card
    booked = send(student, chat_id, "tomorrow at 11am")
    assert student.wait_for("booking_held")["booking"]["time"] == "11:00"
    ai_reply(student, chat_id, booked["message"]["id"])
    slots = server.sign_in().get(server.url + "/api/bookings").json()["slots"]
    note = next(s for s in slots if s["chat_id"] == chat_id)["note"]
    assert note["reason"].startswith("Asked for a person")
