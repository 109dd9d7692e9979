"""A chat's lifecycle: closing, rating and reopening."""
from conftest import ai_reply, post
from test_student_events import new_chat, send


def test_close_rate_and_reopen(live_server, connect, admin, admin_session):
    student = connect(live_server.url)
    chat_id, _ = new_chat(student)
    assert student.call("rate_chat", {"chat_id": chat_id, "rating": 5})["error"]["code"] == "not_closed"
    closed = admin.call("close_chat", {"chat_id": chat_id})
    assert closed["status"] == "closed"
    assert student.wait_for("chat_closed")["chat_id"] == chat_id
    assert student.call("rate_chat", {"chat_id": chat_id, "rating": 6})["error"]["code"] == "invalid_payload"
    rated = student.call("rate_chat", {"chat_id": chat_id, "rating": 4, "comment": "Quick and clear"})
    assert rated["ok"] and admin.wait_for("chat_rated", lambda r: r["chat_id"] == chat_id)["rating"] == 4
    sent = send(student, chat_id, "One more question: what is the tuition for graduate students?")
    assert student.wait_for("chat_reopened")["status"] == "ai"
    assert "$18,500" in ai_reply(student, chat_id, sent["message"]["id"])["message"]
    reopened = post(admin_session, live_server.url + f"/api/chats/{chat_id}/close")
    assert reopened.json()["status"] == "closed"
    assert post(admin_session, live_server.url + f"/api/chats/{chat_id}/reopen").json()["status"] == "ai"
