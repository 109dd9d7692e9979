"""Learning from advisors: knowledge gaps, saved answers, approval, and canned responses."""
import pytest

from conftest import ai_reply, post
from test_student_events import new_chat, send


def test_canned_responses_crud(live_server, admin_session, admin):
    url = live_server.url + "/api/canned"
    created = post(admin_session, url, json={"shortcut": "/hours", "text": "We're open 09:00-17:00."})
    assert created.status_code == 201 and created.json()["canned"]["shortcut"] == "hours"
    assert admin.wait_for("canned_changed")["canned"][0]["shortcut"] == "hours"
    duplicate = post(admin_session, url, json={"shortcut": "hours", "text": "again"})
    assert duplicate.status_code == 409
    assert post(admin_session, url, json={"shortcut": "bad shortcut!", "text": "x"}).status_code == 400
    canned_id = created.json()["canned"]["id"]
    edited = post(admin_session, f"{url}/{canned_id}", method="put", json={"shortcut": "hours", "text": "Open 9-5."})
    assert edited.json()["canned"]["text"] == "Open 9-5."
    assert [c["text"] for c in admin_session.get(url).json()["canned"]] == ["Open 9-5."]
    assert post(admin_session, f"{url}/{canned_id}", method="delete").json()["ok"]
    assert admin_session.get(url).json()["canned"] == []
    assert post(admin_session, f"{url}/{canned_id}", method="delete").status_code == 404


def test_an_approved_advisor_answer_is_used_on_the_next_question(live_server, connect, admin, admin_session):
    student = connect(live_server.url)
    chat_id, _ = new_chat(student)
    question = "Do you accept the Cambridge C1 Advanced certificate?"
    sent = send(student, chat_id, question)
    ai_reply(student, chat_id, sent["message"]["id"])  # not in the knowledge base: escalated
    operator = admin.call("admin_message", {"chat_id": chat_id, "message":
                                            "Yes, the Cambridge C1 Advanced certificate is accepted with a score of 180."})
    saved = post(admin_session, live_server.url + "/api/knowledge", json={
        "question": question, "answer": operator["message"]["message"],
        "source_message_id": operator["message"]["id"]})
    assert saved.status_code == 201 and saved.json()["answer"]["status"] == "pending"
    gaps = admin_session.get(live_server.url + "/api/knowledge/gaps").json()["gaps"]
    assert any(question in g["examples"] for g in gaps)

    other = connect(live_server.url)
    other_chat, _ = new_chat(other)
    asked = send(other, other_chat, "Is the Cambridge C1 Advanced certificate accepted?")
    assert "180" not in ai_reply(other, other_chat, asked["message"]["id"])["message"]  # pending: not used

    answer_id = saved.json()["answer"]["id"]
    approved = post(admin_session, live_server.url + f"/api/knowledge/{answer_id}", method="patch",
                    json={"status": "approved"})
    assert approved.json()["answer"]["status"] == "approved"
    asked = send(other, other_chat, "Is the Cambridge C1 Advanced certificate accepted?")
    assert "score of 180" in ai_reply(other, other_chat, asked["message"]["id"])["message"]
    assert post(admin_session, live_server.url + f"/api/knowledge/{answer_id}", method="delete").json()["ok"]
    asked = send(other, other_chat, "Is the Cambridge C1 Advanced certificate accepted?")
    assert "180" not in ai_reply(other, other_chat, asked["message"]["id"])["message"]


@pytest.mark.parametrize("body", [None, {"question": "q"}, {"question": 1, "answer": "a"},
                                  {"question": "q", "answer": "a", "source_message_id": "x"}])
def test_saving_an_answer_refuses_bad_bodies(live_server, admin_session, body):
    assert post(admin_session, live_server.url + "/api/knowledge", json=body).status_code == 400
