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


def _long_chat(app, count=620):
    """A chat with `count` messages (students and assistant in turn); returns (student, chat_id, token, ids)."""
    import db
    from db import history
    student = app.student()
    ack = student.call("student_connect", {})
    chat_id, token = ack["chat"]["id"], ack["token"]
    with db.transaction():
        ids = [history.add_message(chat_id, "human" if i % 2 == 0 else "ai", f"message {i}")[0]["id"]
               for i in range(count)]
    return student, chat_id, token, ids


def test_a_long_chat_reopens_on_its_latest_messages_and_pages_back(inprocess):
    app = inprocess()
    student, chat_id, token, ids = _long_chat(app)

    reopened = app.student().call("student_connect", {"chat_id": chat_id, "token": token})
    assert [m["id"] for m in reopened["messages"]] == ids[-500:]  # the latest page, oldest first
    missed = app.student().call("student_connect", {"chat_id": chat_id, "token": token, "last_message_id": ids[10]})
    assert [m["id"] for m in missed["messages"]] == ids[-500:]  # a gap longer than a page: the latest page
    caught_up = app.student().call("student_connect", {"chat_id": chat_id, "token": token,
                                                       "last_message_id": ids[-3]})
    assert [m["id"] for m in caught_up["messages"]] == ids[-2:]

    web = app.app.test_client()
    earlier = web.get(f"/chats/{chat_id}/messages?before_id={ids[-500]}", headers={"X-Chat-Token": token}).get_json()
    assert [m["id"] for m in earlier["messages"]] == ids[:-500] and earlier["has_more"] is False
    assert web.get(f"/chats/{chat_id}/messages?before_id={ids[-1]}").status_code == 403  # no token
    assert web.get(f"/chats/{chat_id}/messages?before_id=x", headers={"X-Chat-Token": token}).status_code == 400

    desk, _ = app.advisor("ana")
    opened = desk.call("admin_connect", {"chat_id": chat_id})
    assert [m["id"] for m in opened["messages"]] == ids[-500:] and opened["has_more"] is True
    api = desk.client.flask_test_client  # the advisor's signed-in browser
    page = api.get(f"/api/chats/{chat_id}?before_id={ids[-500]}").get_json()
    assert [m["id"] for m in page["messages"]] == ids[:-500] and page["has_more"] is False
    assert page["chat"]["last_message"]["id"] == ids[-1]
