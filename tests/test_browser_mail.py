"""Mail in Chromium: the confirmation as a mail program shows it, the manage page moving a call (the
desk sees it live), and an answer mail's link reopening the chat in another browser."""
import re

import pytest
from playwright.sync_api import expect

from conftest import SCREENSHOTS, connect_admin, wait_until
from mail_server import SmtpServer

STUDENT = "ana@example.com"


def shot(page, name):
    """Into test-results/ (the copies in docs/screenshots are these)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


def test_confirmation_manage_page_and_reopen_link_in_the_browser(start_server, smtp, connect, page_factory):
    server = start_server(SMTP_URL=smtp.url, MAIL_POLL_SECONDS=0.3, ANSWER_MAIL_DELAY=1,
                          MAIL_FROM="Admissions <admissions@example.edu>")
    student = connect(server.url)
    chat = student.call("student_connect", {"language": "en"})["chat"]
    chat_id = chat["id"]
    assert student.call("save_contact", {"chat_id": chat_id, "name": "Ana Pérez", "email": STUDENT,
                                         "method": "video", "timezone": "Europe/Madrid"})["ok"]
    assert student.call("student_message", {"chat_id": chat_id, "client_id": "b1",
                                            "message": "Can I book a call with an advisor tomorrow at 10?"})["ok"]
    wait_until(lambda: smtp.inbox.to(STUDENT), timeout=30)
    confirmation = smtp.inbox.to(STUDENT)[0]

    mail_page = page_factory("about:blank", 720, 640)
    mail_page.set_content(confirmation.get_body(("html",)).get_content())
    expect(mail_page.get_by_text("Your call with an admissions advisor is booked.")).to_be_visible()
    expect(mail_page.get_by_text("Europe/Madrid")).to_be_visible()
    shot(mail_page, "mail-confirmation")

    desk = connect_admin(connect, server, server.sign_in())
    assert desk.call("admin_connect", {})["ok"]
    manage = re.search(r"(http://127\.0\.0\.1:\d+/call/\S+)", confirmation.get_body(("plain",)).get_content())[1]
    page = page_factory(manage, 390, 844)
    expect(page.locator("h1")).to_have_text("Your advisor call")
    expect(page.get_by_test_id("manage-when")).to_contain_text("America/Havana")
    shot(page, "manage-call")
    options = page.locator("#manage-slot option")
    target = options.nth(2).get_attribute("value")
    label = options.nth(2).text_content()
    page.select_option("#manage-slot", target)
    page.get_by_role("button", name="Move the call").click()
    expect(page.get_by_role("status")).to_have_text("Your call was moved.")
    expect(page.get_by_test_id("manage-when")).to_have_text(label)
    desk.wait_for("booking_confirmed", lambda d: str(d["booking"]["id"]) == target)
    wait_until(lambda: len(smtp.inbox.to(STUDENT)) >= 2, timeout=20)

    student.close()  # the student leaves; the advisor's answers reach them by mail
    assert desk.call("admin_message", {"chat_id": chat_id, "message": "Hi Ana, bring your passport."})["ok"]
    wait_until(lambda: any("answered" in m["Subject"] for m in smtp.inbox.to(STUDENT)), timeout=30)
    answer = next(m for m in smtp.inbox.to(STUDENT) if "answered" in m["Subject"])
    reopen = re.search(r"(http://127\.0\.0\.1:\d+/chat/reopen/\S+)", answer.get_body(("plain",)).get_content())[1]
    elsewhere = page_factory(reopen, 390, 844)  # a browser that never saw this chat
    expect(elsewhere.locator(".msg").filter(has_text="bring your passport")).to_be_visible()
    assert elsewhere.evaluate("localStorage.getItem('havana.current')") == chat_id
    assert not elsewhere.console_errors
