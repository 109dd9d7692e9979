"""The advisors' REST API and sign-in, signed in and not, with good and bad input."""
import re

import pytest
import requests

from conftest import ai_reply, post
from test_student_events import new_chat, send


@pytest.fixture(scope="module")
def session(live_server):
    return live_server.sign_in()


@pytest.fixture(scope="module")
def escalated_chat(live_server):
    from conftest import Recorder
    student = Recorder(live_server.url)
    chat_id, _ = new_chat(student)
    send(student, chat_id, "I want to talk to a human")
    student.wait_for("escalation_triggered")
    ack = send(student, chat_id, "Book a call with an advisor")
    ai_reply(student, chat_id, ack["message"]["id"])
    ack = send(student, chat_id, "tomorrow at 9am")
    student.wait_for("booking_held")  # no contact yet
    assert student.call("save_contact", {"chat_id": chat_id, "name": "Ana", "email": "ana@example.com"})["ok"]
    student.wait_for("booking_confirmed")
    ai_reply(student, chat_id, ack["message"]["id"])
    student.close()
    return chat_id


@pytest.mark.parametrize("method, path", [
    ("get", "/api/chats"), ("get", "/api/chats/abc"), ("get", "/api/model"),
    ("post", "/api/model"), ("get", "/api/bookings"), ("post", "/api/bookings/1/cancel"),
])
def test_every_endpoint_needs_a_signed_in_admin(live_server, method, path):
    response = getattr(requests, method)(live_server.url + path, json={"model": "local"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "forbidden"


def test_admin_page_redirects_to_sign_in(live_server):
    response = requests.get(live_server.url + "/admin", allow_redirects=False)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_wrong_password_is_refused_and_failed_attempts_are_rate_limited(start_server):
    server = start_server()
    attempts = requests.Session()
    codes = []
    for _ in range(7):
        page = attempts.get(server.url + "/login").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
        codes.append(attempts.post(server.url + "/login", data={
            "csrf_token": token, "username": "admin", "password": "wrong password"}).status_code)
    assert codes[:5] == [401] * 5 and codes[-1] == 429


def test_sign_in_form_requires_its_csrf_token(live_server):
    response = requests.post(live_server.url + "/login", data={"username": "admin", "password": "x"})
    assert response.status_code == 400


def test_session_cookie_is_httponly_and_samesite(live_server):
    session = requests.Session()
    session.get(live_server.url + "/login")
    cookie = session.get(live_server.url + "/login").headers.get("Set-Cookie", "") or \
        requests.get(live_server.url + "/login").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_list_chats_with_filters_and_paging(live_server, session, escalated_chat):
    everything = session.get(live_server.url + "/api/chats").json()
    assert everything["ok"] and everything["total"] >= 1
    waiting = session.get(live_server.url + "/api/chats", params={"status": "waiting_human"}).json()
    assert escalated_chat in [c["id"] for c in waiting["chats"]]
    assert all(c["status"] == "waiting_human" for c in waiting["chats"])
    escalated = session.get(live_server.url + "/api/chats", params={"escalated": "true"}).json()
    assert all(c["escalated_at"] for c in escalated["chats"])
    page = session.get(live_server.url + "/api/chats", params={"limit": 1, "offset": 0}).json()
    assert len(page["chats"]) == 1 and page["limit"] == 1


@pytest.mark.parametrize("params", [{"status": "nope"}, {"limit": "many"}, {"limit": 0}, {"limit": 500},
                                    {"offset": -1}, {"escalated": "maybe"}])
def test_list_chats_refuses_bad_query(live_server, session, params):
    response = session.get(live_server.url + "/api/chats", params=params)
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_payload"


def test_chat_detail_has_history_booking_and_404(live_server, session, escalated_chat):
    detail = session.get(live_server.url + f"/api/chats/{escalated_chat}").json()
    roles = [m["role"] for m in detail["messages"]]
    assert roles[0] == "human" and "ai" in roles and "system" in roles
    assert detail["chat"]["booking"]["time"] == "09:00"
    missing = session.get(live_server.url + "/api/chats/" + "0" * 32)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "chat_not_found"


def test_model_endpoints(live_server, session):
    state = session.get(live_server.url + "/api/model").json()
    assert state["active"] == "local"
    openai = next(p for p in state["providers"] if p["name"] == "openai")
    assert openai["configured"] is False and "OPENAI_API_KEY" in openai["reason"]
    refused = post(session, live_server.url + "/api/model", json={"model": "openai"})
    assert refused.status_code == 409 and "OPENAI_API_KEY" in refused.json()["error"]["message"]
    assert post(session, live_server.url + "/api/model", json={"model": "local"}).json()["active"] == "local"


@pytest.mark.parametrize("body", [None, {"model": 3}, {"model": "claude"}, {"nothing": 1}, [1, 2]])
def test_model_switch_refuses_bad_bodies(live_server, session, body):
    response = post(session, live_server.url + "/api/model", json=body)
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_payload"


def test_writes_need_the_csrf_token(live_server, session):
    response = session.post(live_server.url + "/api/model", json={"model": "local"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "csrf"


def test_calls_over_rest_claim_show_the_contact_and_refuse_early_outcomes_and_partial_batches(live_server, session,
                                                                                                  escalated_chat):
    url = live_server.url + "/api/bookings"
    call = next(s for s in session.get(url).json()["slots"] if s["chat_id"] == escalated_chat)
    assert call["contact"]["email"] == "ana@example.com" and call["confirmed"] and call["claimed_by"] is None
    claimed = post(session, url + f"/{call['id']}/claim")
    assert claimed.status_code == 200 and claimed.json()["call"]["claimed_by"] == "admin"
    assert [s["id"] for s in session.get(url + "?mine=true").json()["slots"]] == [call["id"]]
    early = post(session, url + f"/{call['id']}/outcome", json={"outcome": "attended"})
    assert early.status_code == 409 and early.json()["error"]["code"] == "too_early"
    assert post(session, url + f"/{call['id']}/outcome", json={"outcome": "maybe"}).status_code == 400
    free = next(s for s in session.get(url).json()["slots"] if s["chat_id"] is None)
    refused = post(session, url + "/cancel", json={"slot_ids": [call["id"], free["id"]]})
    assert refused.status_code == 404
    assert any(s["id"] == call["id"] and s["chat_id"] for s in session.get(url).json()["slots"])  # nothing cancelled
    assert post(session, url + "/cancel", json={"slot_ids": []}).status_code == 400


def test_bookings_panel_and_cancel(live_server, session, escalated_chat):
    slots = session.get(live_server.url + "/api/bookings").json()["slots"]
    assert len(slots) == 42
    booked = [s for s in slots if s["chat_id"] == escalated_chat]
    assert len(booked) == 1
    cancelled = post(session, live_server.url + f"/api/bookings/{booked[0]['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["booking"]["id"] == booked[0]["id"]
    detail = session.get(live_server.url + f"/api/chats/{escalated_chat}").json()
    assert detail["chat"]["booking"] is None
    assert "was cancelled" in detail["messages"][-1]["message"]
    again = post(session, live_server.url + f"/api/bookings/{booked[0]['id']}/cancel")
    assert again.status_code == 404


@pytest.mark.parametrize("method, path, body", [
    ("patch", "/api/knowledge/1", {"status": "published"}),
    ("patch", "/api/knowledge/1", {"question": 5}),
    ("post", "/api/canned", {"shortcut": ["hours"], "text": "x"}),
    ("put", "/api/canned/1", {"shortcut": "hours"}),
    ("put", "/api/account/display-name", {"display_name": 7}),
    ("put", "/api/account/display-name", {"display_name": "x" * 81}),
])
def test_bodies_are_checked_by_the_strict_payload_models(live_server, session, method, path, body):
    response = post(session, live_server.url + path, method=method, json=body)
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_payload"
    assert "Invalid field" in response.json()["error"]["message"]


@pytest.mark.parametrize("path", ["/api/analytics?days=0", "/api/analytics?days=many", "/api/knowledge?status=all"])
def test_query_strings_are_checked_by_the_strict_payload_models(live_server, session, path):
    response = session.get(live_server.url + path)
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_payload"


def test_an_advisors_display_name_is_what_students_see(start_server, connect):
    from conftest import connect_admin
    server = start_server()
    session = server.sign_in()
    named = post(session, server.url + "/api/account/display-name", method="put",
                 json={"display_name": "  Maria   from Admissions "})
    assert named.json() == {"ok": True, "display_name": "Maria from Admissions"}
    desk = connect_admin(connect, server, session)
    assert desk.call("admin_connect", {})["display_name"] == "Maria from Admissions"
    student = connect(server.url)
    chat_id, _ = new_chat(student)
    desk.call("admin_message", {"chat_id": chat_id, "message": "Hello!"})
    assert student.wait_for("new_message", lambda m: m["role"] == "human_operator")["author_name"] == \
        "Maria from Admissions"
    cleared = post(session, server.url + "/api/account/display-name", method="put", json={"display_name": ""})
    assert cleared.json()["display_name"] == "Admissions advisor"


BIG_ID = "9" * 30  # past every integer column


@pytest.mark.parametrize("method, path, body, status, code", [
    ("get", "/api/no-such-thing", None, 404, "not_found"),
    ("delete", "/api/model", None, 405, "method_not_allowed"),
    ("put", "/api/chats", None, 405, "method_not_allowed"),
    ("post", "/api/knowledge", b'{"question": "' + b"x" * 70_000 + b'", "answer": "y"}', 413, "too_large"),
    ("post", "/api/knowledge", b"[" * 20_000 + b"]" * 20_000, 400, "invalid_payload"),
    ("post", "/api/canned", b'{"shortcut": "hi", "text": "lone \\ud800 surrogate"}', 400, "invalid_payload"),
    ("post", "/api/canned", b'{"shortcut": "\\udfff", "text": "lone surrogate"}', 400, "invalid_payload"),
    ("post", "/api/knowledge", b'{"question": "q", "answer": "a", "source_message_id": ' + BIG_ID.encode() + b"}",
     400, "invalid_payload"),
    ("post", f"/api/bookings/{BIG_ID}/cancel", b"{}", 404, "not_found"),
    ("patch", f"/api/knowledge/{BIG_ID}", b'{"status": "approved"}', 404, "not_found"),
    ("delete", f"/api/canned/{BIG_ID}", None, 404, "not_found"),
    ("get", f"/api/chats?limit={BIG_ID}", None, 400, "invalid_payload"),
    ("get", f"/api/chats?offset={BIG_ID}", None, 400, "invalid_payload"),
    ("get", "/api/chats/" + "a" * 300, None, 404, "chat_not_found"),
], ids=["404", "405", "405-collection", "413", "nested-json", "lone-surrogate", "lone-surrogate-key-field",
        "big-id-in-body", "big-slot-id", "big-answer-id", "big-canned-id", "big-limit", "big-offset", "long-chat-id"])
def test_every_api_error_is_json_never_html_and_never_500(live_server, session, method, path, body, status, code):
    response = post(session, live_server.url + path, method=method, data=body,
                    headers={"Content-Type": "application/json"})
    assert response.status_code == status, response.text[:300]
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["ok"] is False and response.json()["error"]["code"] == code
    assert session.get(live_server.url + "/healthz").ok


@pytest.mark.parametrize("path", ["/admin", "/admin/analytics", "/api/model", "/api/chats", "/login"])
def test_desk_pages_and_the_api_are_never_cached(live_server, session, path):
    response = session.get(live_server.url + path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
