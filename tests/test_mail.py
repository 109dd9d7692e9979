"""Mail: the outbox against a real SMTP server, booking invites (.ics), the manage link, reminders,
answers to a student who left."""
import re
import subprocess
import sys
import time
from datetime import datetime, timedelta

import pytest
from icalendar import Calendar

import db
from db import chats as chat_db, outbox
from conftest import ROOT as ROOT_DIR, wait_until
from mail_server import SmtpServer

STUDENT = "ana@example.com"
ADVISORS = "advisors@example.edu"


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(inprocess, smtp):
    """Factory: the app on a database, sending to the test's SMTP server, polling fast."""
    def make(database_url=None, **overrides):
        settings = dict(SMTP_URL=smtp.url, MAIL_FROM="Admissions <admissions@example.edu>",
                        ADVISOR_MAIL=ADVISORS, MAIL_POLL_SECONDS=0.2, MAIL_RETRY_SECONDS=0.3,
                        PUBLIC_URL="http://chat.example.edu", REMINDER_HOURS="0.001")
        settings.update(overrides)
        return inprocess(database_url, **settings)
    return make


def _chat_with_contact(app, method="video", language="es", timezone="Europe/Madrid", email=STUDENT):
    student = app.student()
    ack = student.call("student_connect", {"language": language})
    chat_id = ack["data"]["chat"]["id"] if "data" in ack else ack["chat"]["id"]
    chat_db.set_contact(chat_id, "Ana Pérez", email, "+5351234567", method, timezone)
    return student, chat_id


def _book(chat_id, slot_id=None):
    """The chat's booking action for a chat whose contact is known: confirmed, and the invite queued."""
    from havana.actions import bookings
    return bookings.book_slot(chat_id, slot_id or bookings.free_slots()[0]["id"])


def _invite(message):
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return Calendar.from_ical(part.get_payload(decode=True)), part
    raise AssertionError("no text/calendar part")


def _event(cal):
    return next(iter(cal.walk("VEVENT")))


def _manage_path(message):
    text = message.get_body(("plain",)).get_content()
    return re.search(r"http://chat\.example\.edu(/call/\S+)", text).group(1)


def test_a_booking_sends_the_student_and_the_advisors_a_valid_invite(mail_app, smtp):
    app = mail_app()
    _student, chat_id = _chat_with_contact(app)
    slot = _book(chat_id)
    wait_until(lambda: len(smtp.inbox.messages) == 2, timeout=15)
    mail = smtp.inbox.to(STUDENT)[0]
    assert "Ana" in mail.get_body(("plain",)).get_content()
    assert "llamada" in mail["Subject"].lower()  # the chat's language (es)
    cal, part = _invite(mail)
    assert cal["method"] == "REQUEST" and part.get_param("method") == "REQUEST"
    event = _event(cal)
    start = datetime.combine(slot["date"], slot["time"])
    assert event["dtstart"].dt.replace(tzinfo=None) == start
    assert str(event["dtstart"].dt.tzinfo) == "America/Havana"
    assert event["dtend"].dt - event["dtstart"].dt == timedelta(minutes=30)
    assert str(event["uid"]).startswith(f"call-{chat_id}@")
    assert str(event["organizer"]) == "mailto:admissions@example.edu"
    assert str(event["attendee"]) == f"mailto:{STUDENT}"
    assert int(event["sequence"]) == 0
    assert "meet.jit.si/havana-" in str(event["location"])  # a video call carries its room
    body = mail.get_body(("plain",)).get_content()
    assert "Europe/Madrid" in body and "America/Havana" in body  # both zones
    advisor = smtp.inbox.to(ADVISORS)[0]
    assert str(_event(_invite(advisor)[0])["uid"]) == str(event["uid"])
    wait_until(lambda: all(m["status"] == "sent" for m in outbox.all_mails(chat_id)))
    assert all(m["attempts"] == 1 for m in outbox.all_mails(chat_id))
    from havana.actions.analytics import analytics
    assert analytics()["mails"] == {"sent": 2, "failed": 0, "queued": 0}


def test_moving_and_cancelling_through_the_link_send_the_updated_and_the_cancelling_invite(mail_app, smtp):
    app = mail_app()
    student, chat_id = _chat_with_contact(app, method="phone", language="en")
    first = _book(chat_id)
    wait_until(lambda: smtp.inbox.to(STUDENT), timeout=15)
    path = _manage_path(smtp.inbox.to(STUDENT)[0])
    web = app.app.test_client()
    page = web.get(path)
    assert page.status_code == 200 and "Move the call" in page.get_data(as_text=True)
    html = page.get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    target = int(re.findall(r'<option value="(\d+)"', html)[1])
    moved = web.post(path, data={"csrf_token": token, "slot_id": target})
    assert moved.status_code == 200 and "moved" in moved.get_data(as_text=True)
    assert chat_db.get_chat(chat_id) and app_booking(chat_id)["id"] == target != first["id"]
    wait_until(lambda: len(smtp.inbox.to(STUDENT)) == 2, timeout=15)
    update = _event(_invite(smtp.inbox.to(STUDENT)[1])[0])
    original = _event(_invite(smtp.inbox.to(STUDENT)[0])[0])
    assert update["uid"] == original["uid"] and int(update["sequence"]) == int(original["sequence"]) + 1
    assert update["dtstart"].dt != original["dtstart"].dt

    cancelled = web.post(path, data={"csrf_token": token, "action": "cancel"})
    assert cancelled.status_code == 200 and app_booking(chat_id) is None
    wait_until(lambda: len(smtp.inbox.to(STUDENT)) == 3, timeout=15)
    cancel_mail = smtp.inbox.to(STUDENT)[2]
    cal, part = _invite(cancel_mail)
    assert cal["method"] == "CANCEL" and part.get_param("method") == "CANCEL"
    assert _event(cal)["uid"] == original["uid"] and int(_event(cal)["sequence"]) == int(update["sequence"]) + 1
    # The cancelled mail's link books again: the same calendar entry, requested anew.
    html = web.get(path).get_data(as_text=True)
    assert "You have no advisor call booked." in html
    again = int(re.findall(r'<option value="(\d+)"', html)[0])
    rebooked = web.post(path, data={"csrf_token": token, "slot_id": again})
    assert "Your call is booked." in rebooked.get_data(as_text=True) and app_booking(chat_id)["id"] == again
    wait_until(lambda: len(smtp.inbox.to(STUDENT)) == 4, timeout=15)
    cal, _part = _invite(smtp.inbox.to(STUDENT)[3])
    assert cal["method"] == "REQUEST" and _event(cal)["uid"] == original["uid"]
    assert int(_event(cal)["sequence"]) == int(original["sequence"]) + 3
    # Without its CSRF token the form is refused and changes nothing.
    assert web.post(path, data={"action": "cancel"}).status_code == 400
    assert app_booking(chat_id) is not None


def app_booking(chat_id):
    from havana.actions.bookings import chat_booking
    return chat_booking(chat_id)


def test_a_tampered_expired_or_foreign_link_is_refused(mail_app, smtp, monkeypatch):
    app = mail_app()
    _student, chat_id = _chat_with_contact(app)
    _book(chat_id)
    wait_until(lambda: smtp.inbox.to(STUDENT), timeout=15)
    path = _manage_path(smtp.inbox.to(STUDENT)[0])
    web = app.app.test_client()
    page = web.get(path)
    assert page.status_code == 200 and "Tu llamada con un asesor" in page.get_data(as_text=True)  # the chat's language
    tampered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert web.get(tampered).status_code == 404
    assert web.post(tampered, data={"action": "cancel"}).status_code in (400, 404)
    from havana.mail import links
    # A reopen-chat link is signed for another purpose: it does not manage a call.
    assert web.get("/call/" + links.sign(links.REOPEN, chat_id)).status_code == 404
    later = time.time() + 31 * 86400
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    expired = web.get(path)
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True).lower()
    assert app_booking(chat_id) is not None


def test_a_refusing_or_missing_smtp_server_keeps_the_mail_queued_and_retries(mail_app, smtp):
    smtp.inbox.refuse = "451 4.3.0 Try again later"
    app = mail_app()
    student, chat_id = _chat_with_contact(app)
    _book(chat_id)
    wait_until(lambda: smtp.inbox.attempts >= 2, timeout=15)
    rows = outbox.all_mails(chat_id)
    assert len(rows) == 2 and not any(r["status"] in ("sent", "failed") for r in rows)
    assert any("451" in (r["last_error"] or "") for r in rows)
    assert not smtp.inbox.messages
    # The chat goes on as usual meanwhile.
    assert student.call("student_message", {"chat_id": chat_id, "message": "hola", "client_id": "c1"})["ok"]
    smtp.inbox.refuse = None
    wait_until(lambda: all(r["status"] == "sent" for r in outbox.all_mails(chat_id)), timeout=15)
    assert len(smtp.inbox.messages) == 2 and all(r["status"] == "sent" and r["attempts"] >= 2 for r in outbox.all_mails(chat_id))


def test_a_server_that_is_down_leaves_the_mail_queued(mail_app, smtp):
    smtp.stop()
    app = mail_app()
    _student, chat_id = _chat_with_contact(app)
    _book(chat_id)
    wait_until(lambda: all(r["attempts"] >= 1 and r["status"] == "queued"
                           for r in outbox.all_mails(chat_id)), timeout=15)
    assert "Error" in outbox.all_mails(chat_id)[0]["last_error"]
    smtp.start()
    wait_until(lambda: len(smtp.inbox.messages) == 2, timeout=20)


def test_no_smtp_writes_eml_files(mail_app, smtp, tmp_path):
    app = mail_app(SMTP_URL=None, MAIL_OUTBOX_DIR=str(tmp_path / "outbox"))
    _student, chat_id = _chat_with_contact(app)
    _book(chat_id)
    wait_until(lambda: len(list((tmp_path / "outbox").glob("*.eml"))) == 2, timeout=15)
    import email
    from email import policy
    for path in (tmp_path / "outbox").glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        assert _event(_invite(message)[0])["uid"]
    assert not smtp.inbox.messages


def test_reminders_come_once_each_and_not_for_a_cancelled_call(mail_app, smtp):
    from havana.actions.mail import queue_reminders
    from havana.actions import bookings
    app = mail_app(MAIL_POLL_SECONDS=3600, REMINDER_HOURS="24,1")
    app_runtime_stop()
    _student, chat_id = _chat_with_contact(app)
    later = [s for s in bookings.free_slots() if datetime.combine(s["date"], s["time"]) > _local_now() + timedelta(hours=26)]
    slot = _book(chat_id, later[0]["id"])
    start = datetime.combine(slot["date"], slot["time"])
    assert queue_reminders(start - timedelta(hours=30)) == 0
    assert queue_reminders(start - timedelta(hours=23)) == 1
    assert queue_reminders(start - timedelta(hours=22)) == 0
    assert queue_reminders(start - timedelta(minutes=50)) == 1
    assert queue_reminders(start - timedelta(minutes=40)) == 0
    assert queue_reminders(start + timedelta(minutes=5)) == 0
    kinds = [r["kind"] for r in outbox.all_mails(chat_id)]
    assert kinds.count("reminder") == 2
    other_student, other = _chat_with_contact(app, email="luis@example.com")
    other_slot = _book(other)
    bookings.cancel_chat_booking(other)
    other_start = datetime.combine(other_slot["date"], other_slot["time"])
    assert queue_reminders(other_start - timedelta(hours=23)) == 0
    # A call confirmed 3 hours ahead gets no 24-hour reminder, only the 1-hour one when its time comes.
    _s, soon = _chat_with_contact(app, email="eva@example.com")
    soon_slot = next(s for s in bookings.free_slots()
                     if timedelta(hours=2) < datetime.combine(s["date"], s["time"]) - _local_now() < timedelta(hours=23))
    _book(soon, soon_slot["id"])
    soon_start = datetime.combine(soon_slot["date"], soon_slot["time"])
    assert queue_reminders(_local_now()) == 0
    assert queue_reminders(soon_start - timedelta(minutes=59)) == 1
    assert [r["data"] for r in outbox.all_mails(soon) if r["kind"] == "reminder"] == ['{"slot_id": %d, "hours": 1.0}'
                                                                                     % soon_slot["id"]]


def _local_now():
    from zoneinfo import ZoneInfo
    return datetime.now(ZoneInfo("America/Havana")).replace(tzinfo=None)


def app_runtime_stop():
    from havana.runtime import runtime
    runtime.mail.stop()


WORKER = """
import sys
from havana.config import Config
from havana.runtime import runtime
import db
from havana.mail.sender import Sender
config = Config(DATABASE_URL=sys.argv[1], SECRET_KEY="test-secret", SMTP_URL=sys.argv[2],
                MAIL_FROM="Admissions <admissions@example.edu>")
db.init_engine(config)
runtime.config, runtime.secret_key = config, "test-secret"
sender = Sender()
print(sum(sender.run_once() for _ in range(3)))
"""


def test_reminders_fire_once_across_two_processes_sharing_mariadb(mail_app, smtp, mysql_url):
    app = mail_app(mysql_url, MAIL_POLL_SECONDS=3600, REMINDER_HOURS="1000")
    app_runtime_stop()
    _student, chat_id = _chat_with_contact(app)
    _book(chat_id)
    _student2, chat2 = _chat_with_contact(app, email="luis@example.com")
    _book(chat2)
    # Both calls were confirmed long ago, before their reminder's time (REMINDER_HOURS before the call).
    from sqlalchemy import update
    from db.schema import bookings as bookings_table
    with db.transaction() as conn:
        long_ago = db.utcnow() - timedelta(days=60)
        conn.execute(update(bookings_table).where(bookings_table.c.chat_id.isnot(None))
                     .values(booked_at=long_ago, confirmed_at=long_ago))
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, mysql_url, smtp.url], cwd=ROOT_DIR,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [w.communicate(timeout=60) for w in workers]
    assert all(w.returncode == 0 for w in workers), results
    sent = sum(int(out.strip().splitlines()[-1]) for out, _err in results)
    reminders = [r for r in outbox.all_mails() if r["kind"] == "reminder"]
    assert len(reminders) == 2 and all(r["status"] == "sent" and r["attempts"] == 1 for r in reminders)
    # Both invites per booking (student, advisors) and one reminder per booking: each sent by one process.
    assert sent == len(outbox.all_mails()) == len(smtp.inbox.messages) == 6
    assert len([m for m in smtp.inbox.messages if "Reminder" in m["Subject"] or "Recordatorio" in m["Subject"]]) == 2


def test_an_advisors_answers_to_a_student_who_left_come_in_one_mail_with_a_link_back(mail_app, smtp):
    app = mail_app(ANSWER_MAIL_DELAY=1.0)
    student, chat_id = _chat_with_contact(app, language="en")
    student.client.disconnect()
    advisor, admin = app.advisor("maria", "Maria from Admissions")
    from havana.actions.handoff import post_operator_message
    post_operator_message(chat_id, "Hi Ana, the deadline is 1 March.", admin)
    post_operator_message(chat_id, "And the fee is $50.", admin)
    wait_until(lambda: smtp.inbox.to(STUDENT), timeout=15)

    mails = smtp.inbox.to(STUDENT)
    assert len(mails) == 1
    body = mails[0].get_body(("plain",)).get_content()
    assert "1 March" in body and "$50" in body and "Maria from Admissions" in body
    link = re.search(r"http://chat\.example\.edu(/chat/reopen/\S+)", body).group(1)
    page = app.app.test_client().get(link)
    assert page.status_code == 200
    handed = re.search(r'<script type="application/json" id="chat-handover">(.*?)</script>',
                       page.get_data(as_text=True)).group(1)
    import json
    token = json.loads(handed)["token"]
    other_browser = app.student()
    ack = other_browser.call("student_connect", {"chat_id": chat_id, "token": token})
    assert ack["ok"]
    assert app.app.test_client().get(link[:-2] + "xx").status_code == 404


def test_no_answer_mail_while_the_student_is_connected(mail_app, smtp):
    app = mail_app(ANSWER_MAIL_DELAY=0.2)
    _student, chat_id = _chat_with_contact(app, language="en")
    _advisor, admin = app.advisor("maria")
    from havana.actions.handoff import post_operator_message
    post_operator_message(chat_id, "Hello", admin)
    assert not [r for r in outbox.all_mails(chat_id) if r["kind"] == "answer"]


def test_a_mail_refused_until_its_last_attempt_is_marked_failed_and_counted(mail_app, smtp):
    smtp.inbox.refuse = "550 5.1.1 No such user"
    app = mail_app(MAIL_MAX_ATTEMPTS=2, MAIL_RETRY_SECONDS=0.1)
    _student, chat_id = _chat_with_contact(app)
    _book(chat_id)
    wait_until(lambda: all(r["status"] == "failed" for r in outbox.all_mails(chat_id)), timeout=15)
    assert all(r["attempts"] == 2 for r in outbox.all_mails(chat_id))
    from havana.actions.analytics import analytics
    assert analytics()["mails"]["failed"] == 2


@pytest.mark.parametrize("url", ["http://mail.example.edu", "smtp://", "mail.example.edu:25"])
def test_a_bad_smtp_url_stops_the_start(url):
    from havana.config import Config
    with pytest.raises(ValueError, match="SMTP_URL"):
        Config(SMTP_URL=url)


def test_a_stale_claim_of_a_stopped_process_is_given_back(mail_app, smtp):
    from havana.mail.sender import STALE_CLAIM
    app = mail_app(MAIL_POLL_SECONDS=3600)
    app_runtime_stop()
    _student, chat_id = _chat_with_contact(app)
    _book(chat_id)
    token, rows = outbox.claim_due()
    assert len(rows) == 2 and outbox.claim_due()[1] == []  # claimed once: nobody else gets them
    assert outbox.requeue_stale(STALE_CLAIM) == 0  # a fresh claim is left alone
    assert outbox.requeue_stale(timedelta(seconds=-1)) == 2  # an old one goes back to the queue
    assert not outbox.mark_sent(rows[0]["id"], token)  # the dead process's late "sent" is ignored
    from havana.mail.sender import Sender
    assert Sender().run_once() == 2
    assert len(smtp.inbox.messages) == 2


def test_the_contact_card_confirms_a_held_call_by_mail_and_a_move_by_link_reaches_the_desk_live(mail_app, smtp):
    from havana.actions import bookings
    app = mail_app()
    student = app.student()
    ack = student.call("student_connect", {"language": "en"})
    chat_id = (ack.get("data") or ack)["chat"]["id"]
    desk, _admin = app.advisor("maria")
    bookings.book_slot(chat_id, bookings.free_slots()[0]["id"], "10.0.0.1")  # held: no contact yet
    assert not outbox.all_mails(chat_id)
    saved = student.call("save_contact", {"chat_id": chat_id, "name": "Ana Pérez", "email": STUDENT,
                                          "method": "phone", "phone": "+53 5 123 4567",
                                          "timezone": "America/Havana"})
    assert saved["ok"]
    wait_until(lambda: smtp.inbox.to(STUDENT), timeout=15)
    confirmation = smtp.inbox.to(STUDENT)[0]
    assert _invite(confirmation)[0]["method"] == "REQUEST"
    assert "+5351234567" in confirmation.get_body(("plain",)).get_content()
    path = _manage_path(confirmation)
    web = app.app.test_client()
    html = web.get(path).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    target = int(re.findall(r'<option value="(\d+)"', html)[2])
    assert web.post(path, data={"csrf_token": token, "slot_id": target}).status_code == 200
    assert desk.wait_for("booking_confirmed", lambda d: d["booking"]["id"] == target)
    assert student.wait_for("booking_confirmed", lambda d: d["booking"]["id"] == target)
    wait_until(lambda: len(smtp.inbox.to(STUDENT)) == 2, timeout=15)


def test_an_answer_mail_is_dropped_when_the_student_comes_back_before_it_goes(mail_app, smtp):
    app = mail_app(ANSWER_MAIL_DELAY=1.5)
    student, chat_id = _chat_with_contact(app, language="en")
    student.client.disconnect()
    _advisor, admin = app.advisor("maria")
    from havana.actions.handoff import post_operator_message
    post_operator_message(chat_id, "Are you still there?", admin)
    assert [r["status"] for r in outbox.all_mails(chat_id) if r["kind"] == "answer"] == ["queued"]
    back = app.student()
    from db import chats as chats_db
    chat = chats_db.get_chat(chat_id)
    from havana.mail import links
    assert back.call("student_connect", {"chat_id": chat_id, "token": links.sign(links.REOPEN, chat["id"])})["ok"]
    wait_until(lambda: [r["status"] for r in outbox.all_mails(chat_id) if r["kind"] == "answer"] == ["dropped"],
               timeout=15)
    assert not smtp.inbox.to(STUDENT)


def test_smtp_login_from_the_url_with_percent_encoded_user_and_password(mail_app):
    server = SmtpServer(login=("admissions@example.edu", "p@ss:w/rd")).start()
    try:
        url = f"smtp://admissions%40example.edu:p%40ss%3Aw%2Frd@127.0.0.1:{server.port}"
        app = mail_app(SMTP_URL=url)
        _student, chat_id = _chat_with_contact(app)
        _book(chat_id)
        wait_until(lambda: len(server.inbox.messages) == 2, timeout=15)
        assert server.logins[0] == ("admissions@example.edu", "p@ss:w/rd")
    finally:
        server.stop()
