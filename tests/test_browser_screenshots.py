"""The README's screenshots, retaken from real pages: each test builds one documented state and
checks it is on screen. With HAVANA_SCREENSHOTS=docs they are written to docs/screenshots."""
import os

import pytest
from playwright.sync_api import expect

from conftest import ROOT, SCREENSHOTS, ai_reply, connect_admin
from test_browser_contact import fill_contact
from test_student_events import new_chat, send

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
OUT = ROOT / "docs" / "screenshots" if os.environ.get("HAVANA_SCREENSHOTS") == "docs" else SCREENSHOTS


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from conftest import LiveServer
    tmp = tmp_path_factory.mktemp("shots")
    live = LiveServer({"DATABASE_URL": f"sqlite:///{tmp / 'live.sqlite3'}", "BUSINESS_HOURS": "always"},
                      tmp / "server.log").start()
    live.create_admin("alice", "alice-password-1")
    yield live
    live.stop()


@pytest.fixture
def open_page(browser):
    """open_page(url, viewport, scale=1, cookies=None) -> a page in its own context, without motion
    (a picture taken mid-scroll or mid-entrance would differ from run to run)."""
    contexts = []

    def make(url, viewport, scale=1, cookies=None):
        context = browser.new_context(viewport=viewport, device_scale_factor=scale, reduced_motion="reduce")
        contexts.append(context)
        if cookies:
            context.add_cookies(cookies)
        page = context.new_page()
        page.console_errors = []
        page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
        page.goto(url)
        return page

    yield make
    for context in contexts:
        context.close()


def shoot(page, name):
    OUT.mkdir(parents=True, exist_ok=True)
    page.mouse.move(0, 0)  # no hover state in the picture
    page.screenshot(path=str(OUT / f"{name}.png"))
    assert page.console_errors == []


def signed_in(server, open_page, viewport, scale=1):
    session = server.sign_in("alice", "alice-password-1")
    cookies = [{"name": c.name, "value": c.value, "url": server.url} for c in session.cookies]
    page = open_page(server.url + "/admin", viewport, scale, cookies)
    expect(page.locator("#connection-status")).to_have_attribute("data-state", "connected")
    return page, session


def ask(page, text, replies):
    page.fill("#composer-input", text)
    page.keyboard.press("Enter")
    expect(page.locator(".msg[data-role=ai][data-id]")).to_have_count(replies)


def escalated_chat(server, connect, text="I want to talk to a human"):
    student = connect(server.url)
    chat_id, _ = new_chat(student)
    ai_reply(student, chat_id, send(student, chat_id, "What is the tuition for graduate students?")["message"]["id"])
    ai_reply(student, chat_id, send(student, chat_id, text)["message"]["id"])
    return student, chat_id


def test_student_phone_shows_an_answer_and_a_booked_call(server, open_page):
    page = open_page(server.url, PHONE, 2)
    ask(page, "What is the tuition for graduate students?", 1)
    ask(page, "Great. Can you book a call with an advisor?", 2)
    ask(page, "tomorrow at 9am", 3)
    fill_contact(page, "Ana Pérez", "ana@example.com", "+53 5 123 4567", "whatsapp")
    expect(page.locator(".card--booking")).to_contain_text("09:00")
    ask(page, "Thanks! When do applications close?", 4)
    expect(page.locator("#booking-strip")).to_contain_text("09:00")
    page.locator(".card--booking").scroll_into_view_if_needed()
    shoot(page, "student-phone")


def test_student_desktop_shows_an_advisor_who_joined_and_is_typing(server, open_page, connect):
    page = open_page(server.url, DESKTOP)
    ask(page, "Can you book me a call with an advisor for tomorrow at 10am?", 1)
    ask(page, "I'd also like to talk to a human about scholarships, please.", 2)
    chat_id = page.evaluate("localStorage.getItem('havana.current')")
    session = server.sign_in("alice", "alice-password-1")
    advisor = connect_admin(connect, server, session)
    assert advisor.call("admin_connect", {"chat_id": chat_id})["ok"]
    assert advisor.call("toggle_human_enabled", {"chat_id": chat_id, "enabled": True})["ok"]
    advisor.call("admin_message", {"chat_id": chat_id, "message": "Hi, I'm Marta from admissions. Happy to help "
                                   "with scholarships. Which programme are you applying to?"})
    expect(page.locator(".msg[data-role=human_operator]")).to_have_count(1)
    page.fill("#composer-input", "The MSc in Marine Biology, starting next September.")
    page.keyboard.press("Enter")
    expect(page.locator(".msg[data-role=human][data-id]")).to_have_count(3)
    advisor.emit("admin_typing", {"chat_id": chat_id, "typing": True})
    expect(page.locator("#typing")).to_contain_text("Advisor is typing")
    expect(page.locator("#handoff-banner")).to_be_visible()
    shoot(page, "student-desktop")


def test_desk_desktop_shows_alerts_a_taken_over_chat_and_the_calls(server, open_page, connect):
    page, _ = signed_in(server, open_page, DESKTOP)
    student = connect(server.url)
    chat_id, _ = new_chat(student)
    ai_reply(student, chat_id, send(student, chat_id, "Book a call with an advisor")["message"]["id"])
    ai_reply(student, chat_id, send(student, chat_id, "tomorrow at 11am")["message"]["id"])
    escalated_chat(server, connect)
    escalated_chat(server, connect, "Do you offer scholarships for international students? I'd like to talk to someone about it.")
    page.locator(f"#chat-list [data-chat-id='{chat_id}'] [data-open-chat]").click()
    page.click("#human-toggle")
    page.fill("#operator-input", "Hi, I'm Alice from the admissions office. Graduate tuition can be paid in two "
              "instalments, one per semester. Would you like me to send you the payment schedule?")
    page.keyboard.press("Enter")
    send(student, chat_id, "Yes please! And can I transfer credits from my current university?")
    expect(page.locator("#chat-view .msg[data-role=human]").last).to_contain_text("transfer credits")
    expect(page.locator("#escalation-alert .toast")).to_have_count(2)
    expect(page.locator("#bookings-panel li.slot[data-booked=true]")).not_to_have_count(0)
    shoot(page, "admin-desktop")


def test_desk_phone_shows_the_chat_list_with_waiting_chats_first(server, open_page, connect):
    page, _ = signed_in(server, open_page, PHONE, 2)
    escalated_chat(server, connect)
    expect(page.locator("#escalation-alert .toast")).to_have_count(1)
    expect(page.locator("#chat-list .status-badge").first).to_have_attribute("data-status", "waiting_human")
    shoot(page, "admin-phone")


def test_desk_shows_the_hand_off_brief_while_the_student_types(server, open_page, connect):
    page, _ = signed_in(server, open_page, DESKTOP)
    student, chat_id = escalated_chat(
        server, connect, "I'm from Brazil and I want the master's in computer science for the fall 2027 intake, "
                         "by December 10. Can I talk to a human?")
    page.locator(f"#chat-list [data-chat-id='{chat_id}'] [data-open-chat]").click()
    expect(page.locator("#brief-facts [data-fact=country]")).to_contain_text("Brazil")
    student.call("student_typing", {"chat_id": chat_id, "typing": True})
    expect(page.locator("#chat-typing")).to_be_visible()
    shoot(page, "admin-brief")


def test_analytics_shows_the_figures_and_charts(server, open_page, connect):
    escalated_chat(server, connect)
    page, _ = signed_in(server, open_page, DESKTOP)
    page.goto(server.url + "/admin/analytics")
    expect(page.locator("#analytics")).not_to_have_attribute("aria-busy", "true")
    expect(page.locator("#models-table tbody")).to_contain_text("Offline assistant")
    shoot(page, "analytics")
