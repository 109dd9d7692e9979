"""The advisors' desk in Chromium, beside a student: the chat list live, escalation alerts, taking over
and handing back, the calls panel, hand-off briefs, canned responses, answers learned from advisors,
typing and streaming, and the takeover holder."""
import pytest
from playwright.sync_api import expect

from conftest import ai_reply, connect_admin, screenshot
from test_browser_contact import fill_contact
from test_student_events import new_chat, send

BRAZIL = "I'm from Brazil and want the master's in computer science for fall 2027, can I talk to a human?"
C1_QUESTION = "Do you accept the Cambridge C1 Advanced certificate?"
C1_ANSWER = "Yes, the Cambridge C1 Advanced certificate is accepted with a score of 180."
XSS = '<img src=x onerror="window.__xss=1">'


@pytest.fixture
def desk(start_server, page_factory):
    """(server, student page, advisor page) on a fresh server: a student and a signed-in advisor at once."""
    server = start_server()
    advisor = page_factory(server.url + "/login")
    advisor.fill("#username", "admin")
    advisor.fill("#password", server.first_admin_password())
    advisor.click("button[type=submit]")
    expect(advisor.locator("#connection-status")).to_have_attribute("data-state", "connected")
    student = page_factory(server.url, 390, 844)
    return server, student, advisor


def ask(page, text):
    page.fill("#composer-input", text)
    page.keyboard.press("Enter")


def row(advisor):
    return advisor.locator("#chat-list [data-chat-id]").first


@pytest.fixture
def server(start_server):
    return start_server(BUSINESS_HOURS="always")


@pytest.fixture
def advisor(server, page_factory):
    """The first admin's dashboard at 1280x800, signed in through the form."""
    page = page_factory(server.url + "/login")
    page.fill("#username", "admin")
    page.fill("#password", server.first_admin_password())
    page.click("button[type=submit]")
    expect(page.locator("#connection-status")).to_have_attribute("data-state", "connected")
    yield page
    assert page.console_errors == []


def open_chat(page, chat_id):
    """Open a chat that has messages, and wait until they are shown."""
    page.locator(f"#chat-list [data-chat-id='{chat_id}'] [data-open-chat]").click()
    expect(page.locator("#chat-view [data-id]").first).to_be_visible()


def take_over(page):
    page.click("#human-toggle")
    expect(page.locator("#human-toggle")).to_have_attribute("aria-checked", "true")
    expect(page.locator("#operator-input")).to_be_enabled()


def test_the_ai_answers_and_the_desk_sees_it_live(desk):
    server, student, advisor = desk
    ask(student, "What is the tuition for graduate students?")
    expect(student.locator(".msg[data-role=ai]").last).to_contain_text("$18,500")
    expect(row(advisor)).to_contain_text("$18,500")
    row(advisor).locator("[data-open-chat]").first.click()
    expect(advisor.locator("#chat-view [data-role=ai]").last).to_contain_text("$18,500")
    expect(advisor.locator("#chat-view [data-role=ai] .model-tag").last).to_contain_text("Offline assistant")
    assert student.console_errors == [] and advisor.console_errors == []


def test_an_escalation_stands_out_on_the_desk(desk):
    server, student, advisor = desk
    ask(student, "Hello")
    expect(student.locator(".msg[data-role=ai]")).to_have_count(1)
    ask(student, "I want to talk to a human")
    expect(student.locator("#handoff-banner")).to_be_visible()
    expect(advisor.locator("#escalation-alert")).to_contain_text("needs a human")
    expect(row(advisor).locator(".status-badge")).to_have_attribute("data-status", "waiting_human")
    screenshot(advisor, "admin-escalation-desktop")


def test_an_advisor_takes_over_chats_and_hands_back(desk):
    server, student, advisor = desk
    ask(student, "Hello")
    expect(row(advisor)).to_be_visible()
    row(advisor).locator("[data-open-chat]").first.click()
    advisor.click("#human-toggle")
    expect(advisor.locator("#human-toggle")).to_have_attribute("aria-checked", "true")
    expect(student.locator("#chat-subtitle")).to_contain_text("Advisor")
    advisor.fill("#operator-input", "Hi, I'm Ana from admissions. " + XSS)
    advisor.keyboard.press("Enter")
    expect(student.locator(".msg[data-role=human_operator]")).to_contain_text("Ana from admissions")
    expect(student.locator(".msg[data-role=human_operator]")).to_contain_text("<img src=x")
    ask(student, "Thanks Ana! " + XSS)
    expect(advisor.locator("#chat-view [data-role=human]").last).to_contain_text("<img src=x")
    assert student.evaluate("window.__xss") is None and advisor.evaluate("window.__xss") is None
    assert student.locator(".msg img").count() == 0 and advisor.locator("#chat-view img").count() == 0
    screenshot(advisor, "admin-takeover-desktop")
    screenshot(student, "student-takeover-phone")
    advisor.click("#human-toggle")
    expect(student.locator(".msg[data-role=system]").last).to_contain_text("back with the assistant")
    ask(student, "What is the tuition for graduate students?")
    expect(student.locator(".msg[data-role=ai]").last).to_contain_text("$18,500")


def test_the_ai_books_a_call_and_the_bookings_panel_shows_it(desk):
    server, student, advisor = desk
    ask(student, "Book a call with an advisor")
    expect(student.locator(".msg[data-role=ai]").last).to_contain_text("free advisor call slots")
    ask(student, "tomorrow at 10am")
    fill_contact(student, "Ana Pérez", "ana@example.com")
    expect(student.locator(".card--booking")).to_contain_text("10:00")
    booked = advisor.locator("#bookings-panel li.slot[data-booked=true]")
    expect(booked).to_have_count(1)
    expect(booked.first).to_contain_text("10:00")
    screenshot(advisor, "admin-booking-desktop")
    advisor.once("dialog", lambda dialog: dialog.accept())
    booked.first.locator("[data-cancel-slot]").click()
    expect(advisor.locator("#bookings-panel li.slot[data-booked=true]")).to_have_count(0)
    expect(student.locator(".msg[data-role=system]").last).to_contain_text("was cancelled")


def test_an_escalated_chat_shows_its_hand_off_brief_with_the_facts(server, advisor, connect):
    student = connect(server.url)
    chat_id, _ = new_chat(student)
    ai_reply(student, chat_id, send(student, chat_id, "Hello")["message"]["id"])
    open_chat(advisor, chat_id)
    expect(advisor.locator("#chat-brief")).to_be_hidden()

    send(student, chat_id, BRAZIL)  # the brief arrives live while the chat is open
    brief = advisor.locator("#chat-brief")
    expect(brief).to_be_visible()
    for fact, value in (("program", "master's in computer science"), ("intake", "fall 2027"), ("country", "Brazil")):
        chip = brief.locator(f".brief-chip[data-fact={fact}]")
        expect(chip).to_contain_text(fact.capitalize())
        expect(chip.locator(".brief-chip__value")).to_have_text(value)
    expect(advisor.locator("#brief-reason")).to_contain_text("Asked for a person")
    expect(advisor.locator("#brief-answered")).not_to_be_empty()
    expect(advisor.locator("#brief-by")).to_have_text("written by rules")
    expect(advisor.locator(f"#chat-list [data-chat-id='{chat_id}'] .status-badge")).to_have_attribute(
        "data-status", "waiting_human")
    screenshot(advisor, "admin-brief-desktop")

    advisor.reload()  # and it comes back with the chat (ChatSummary.brief)
    expect(advisor.locator("#brief-facts [data-fact=country]")).to_contain_text("Brazil")


def test_a_canned_response_is_made_inserted_with_its_shortcut_and_reaches_the_student(server, advisor, connect):
    student = connect(server.url)
    chat_id, _ = new_chat(student)
    ai_reply(student, chat_id, send(student, chat_id, "Hello")["message"]["id"])
    open_chat(advisor, chat_id)
    take_over(advisor)

    advisor.click("#canned-manage")
    expect(advisor.locator("#canned-dialog")).to_be_visible()
    advisor.fill("#canned-shortcut", "hours")
    advisor.fill("#canned-text", "Our office is open Monday to Friday, 09:00-17:00.")
    advisor.click("#canned-save")
    expect(advisor.locator("#canned-list [data-canned-id]")).to_contain_text("/hours")
    advisor.keyboard.press("Escape")
    expect(advisor.locator("#canned-dialog")).to_be_hidden()

    advisor.locator("#operator-input").press_sequentially("/ho")
    expect(advisor.locator("#canned-suggest [role=option]")).to_have_count(1)
    expect(advisor.locator("#canned-suggest [aria-selected=true]")).to_contain_text("/hours")
    advisor.keyboard.press("Tab")
    expect(advisor.locator("#canned-suggest")).to_be_hidden()
    expect(advisor.locator("#operator-input")).to_have_value("Our office is open Monday to Friday, 09:00-17:00.")
    advisor.keyboard.press("Enter")

    sent = student.wait_for("new_message", lambda m: m["role"] == "human_operator")
    assert sent["message"] == "Our office is open Monday to Friday, 09:00-17:00."
    assert student.wait_for("typing", lambda t: t["who"] == "advisor" and t["typing"])  # admin_typing, throttled
    expect(advisor.locator("#chat-view [data-role=human_operator][data-id]")).to_have_count(1)


def test_an_advisor_answer_saved_and_approved_is_what_the_assistant_answers_next(server, advisor, connect):
    student = connect(server.url)
    chat_id, _ = new_chat(student)
    ai_reply(student, chat_id, send(student, chat_id, C1_QUESTION)["message"]["id"])  # not known: escalated
    open_chat(advisor, chat_id)
    take_over(advisor)
    advisor.fill("#operator-input", C1_ANSWER)
    advisor.keyboard.press("Enter")
    operator = advisor.locator("#chat-view [data-role=human_operator][data-id]")
    expect(operator).to_have_count(1)

    operator.locator("[data-save-answer]").click()
    expect(advisor.locator("#answer-dialog")).to_be_visible()
    expect(advisor.locator("#answer-question")).to_have_value(C1_QUESTION)
    expect(advisor.locator("#answer-text")).to_have_value(C1_ANSWER)
    advisor.click("#answer-save")
    expect(advisor.locator("#answer-dialog")).to_be_hidden()
    expect(operator.locator("[data-saved-answer]")).to_have_text("Saved as answer")

    advisor.click("#tab-knowledge")
    expect(advisor.locator("#tab-pending-count")).to_have_text("1")
    pending = advisor.locator("#knowledge-list [data-answer-id][data-status=pending]")
    expect(pending).to_contain_text(C1_QUESTION)
    pending.locator("[data-answer-action=approve]").click()
    expect(advisor.locator("#knowledge-list [data-answer-id]")).to_have_count(0)  # left the pending list
    expect(advisor.locator("#tab-pending-count")).to_be_hidden()
    advisor.click("[data-knowledge-view=approved]")
    expect(advisor.locator("#knowledge-list [data-answer-id][data-status=approved]")).to_contain_text(C1_ANSWER)
    advisor.click("[data-knowledge-view=gaps]")
    expect(advisor.locator("#gaps-list")).to_contain_text(C1_QUESTION)

    other = connect(server.url)
    other_chat, _ = new_chat(other)
    asked = send(other, other_chat, "Is the Cambridge C1 Advanced certificate accepted?")
    assert "score of 180" in ai_reply(other, other_chat, asked["message"]["id"])["message"]


def test_the_desk_shows_the_student_typing_and_the_reply_streaming(server, advisor, connect):
    student = connect(server.url)
    chat_id, _ = new_chat(student)
    ai_reply(student, chat_id, send(student, chat_id, "Hello")["message"]["id"])
    open_chat(advisor, chat_id)
    advisor.evaluate("""() => {
        window.__streamed = [];
        new MutationObserver((changes) => changes.forEach((c) => c.addedNodes.forEach((node) => {
            if (node.classList && node.classList.contains("msg--streaming")) window.__streamed.push(node.dataset.streamId);
        }))).observe(document.getElementById("message-list"), {childList: true});
    }""")

    student.call("student_typing", {"chat_id": chat_id, "typing": True})
    expect(advisor.locator("#chat-typing")).to_have_text("Student is typing…")
    expect(advisor.locator(f"#chat-list [data-chat-id='{chat_id}'] .chat-row__preview--typing")).to_be_visible()

    sent = send(student, chat_id, "What is the tuition for graduate students?")
    expect(advisor.locator(f"#chat-list [data-chat-id='{chat_id}'] .chat-row__preview--typing")).to_have_count(0)
    reply = ai_reply(student, chat_id, sent["message"]["id"])
    expect(advisor.locator(f"#chat-view [data-id='{reply['id']}']")).to_contain_text("$18,500")
    assert advisor.evaluate("window.__streamed") == [reply["stream_id"]]  # a live bubble first...
    expect(advisor.locator("#chat-view .msg--streaming")).to_have_count(0)  # ...replaced by the message
    expect(advisor.locator("#chat-typing")).to_be_hidden()
    expect(advisor.locator("#new-messages")).to_be_hidden()  # the view followed the conversation


def test_a_chat_held_by_one_advisor_is_locked_for_the_others(server, advisor, connect):
    server.create_admin("bob", "bob-password-1")
    bob = connect_admin(connect, server, server.sign_in("bob", "bob-password-1"))
    student = connect(server.url)
    chat_id, _ = new_chat(student)
    ai_reply(student, chat_id, send(student, chat_id, "Hello")["message"]["id"])
    open_chat(advisor, chat_id)

    assert bob.call("toggle_human_enabled", {"chat_id": chat_id, "enabled": True})["taken_by"] == "bob"
    expect(advisor.locator("#chat-holder")).to_have_text("Handled by bob")
    expect(advisor.locator("#human-toggle")).to_be_disabled()
    expect(advisor.locator("#operator-input")).to_be_disabled()
    expect(advisor.locator("#operator-hint")).to_contain_text("bob is handling this chat")

    bob.call("toggle_human_enabled", {"chat_id": chat_id, "enabled": False})
    expect(advisor.locator("#human-toggle")).to_be_enabled()
    advisor.click("#chat-close")
    expect(advisor.locator("#chat-status")).to_have_attribute("data-status", "closed")
    student.call("rate_chat", {"chat_id": chat_id, "rating": 4, "comment": "Quick <b>and</b> clear"})
    expect(advisor.locator("#chat-rating .stars")).to_have_attribute("aria-label", "Rated 4 out of 5")
    expect(advisor.locator("#chat-rating")).to_contain_text("Quick <b>and</b> clear")
    advisor.click("#chat-reopen")
    expect(advisor.locator("#chat-status")).to_have_attribute("data-status", "ai")
