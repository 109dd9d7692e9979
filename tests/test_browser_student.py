"""The student page in Chromium, used the way a student on a phone uses it: asking, the hand-off and its
queue, booking, reloading, offline and outages, the reply streaming in, typing both ways, closing and rating."""
from playwright.sync_api import expect

from conftest import connect_admin, screenshot
from test_browser_contact import fill_contact
from fake_providers import FakeOpenAIServer, text
from tcp_proxy import TcpProxy

XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'

REPLY = "Graduate tuition is $18,500 per year, and most programmes offer scholarships."

# Records the streaming bubble's text (and whether "typing…" showed) at every change, so a test can
# check afterwards what the page showed while the reply was being written.
WATCH_STREAM = """() => {
  window.__stream = [];
  new MutationObserver(() => {
    const node = document.querySelector(".msg--streaming .msg__bubble");
    if (node) window.__stream.push({ text: node.textContent, typing: !document.getElementById("typing").hidden });
  }).observe(document.getElementById("message-list"), { childList: true, subtree: true, characterData: true });
}"""


class SlowStreamingOpenAI(FakeOpenAIServer):
    """The fake OpenAI server, pausing between streamed pieces so the page is seen writing."""

    gap = 0.6

    def events(self, req, action, model, usage):
        for event in super().events(req, action, model, usage):
            yield event
            self._stopping.wait(self.gap)


def ask(page, text):
    page.fill("#composer-input", text)
    page.keyboard.press("Enter")


def current_chat(page):
    return page.evaluate("localStorage.getItem('havana.current')")


def ai_messages(page):
    return page.locator(".msg[data-role=ai]")


def test_student_asks_gets_handed_off_and_books_a_call(live_server, page_factory):
    page = page_factory(live_server.url, 390, 844)
    expect(page.locator("#welcome")).to_be_visible()
    ask(page, "What is the tuition for graduate students?")
    expect(ai_messages(page).last).to_contain_text("$18,500")
    expect(ai_messages(page).last).to_contain_text("Offline assistant")

    ask(page, "I want to talk to a human")
    expect(page.locator("#handoff-banner")).to_contain_text("advisor")
    expect(page.locator("#chat-subtitle")).to_contain_text("Waiting for an advisor")

    ask(page, "Book a call with an advisor")
    expect(ai_messages(page).last).to_contain_text("free advisor call slots")
    ask(page, "tomorrow at 10am")
    fill_contact(page, "Ana Pérez", "ana@example.com")
    expect(page.locator(".card--booking")).to_contain_text("10:00")
    expect(page.locator("#booking-strip")).to_contain_text("10:00")
    screenshot(page, "student-booked-phone")
    assert page.console_errors == []


def test_reload_keeps_the_chat_without_duplicates(live_server, page_factory):
    page = page_factory(live_server.url, 390, 844)
    ask(page, "Hello")
    expect(ai_messages(page)).to_have_count(1)
    ids = page.locator(".msg[data-id]").evaluate_all("nodes => nodes.map(n => n.dataset.id)")
    page.reload()
    expect(ai_messages(page)).to_have_count(1)
    assert page.locator(".msg[data-id]").evaluate_all("nodes => nodes.map(n => n.dataset.id)") == ids


def test_typed_html_is_shown_as_text(live_server, page_factory):
    page = page_factory(live_server.url)
    ask(page, XSS)
    expect(page.locator(".msg[data-role=human]").last).to_contain_text("<img src=x")
    assert page.locator(".msg img").count() == 0
    assert page.evaluate("window.__xss") is None


def test_messages_sent_offline_are_queued_and_sent_once(start_server, page_factory):
    server = start_server()
    page = page_factory(server.url)
    ask(page, "Hello")
    expect(ai_messages(page)).to_have_count(1)
    page.context.set_offline(True)
    page.evaluate("() => window.dispatchEvent(new Event('offline'))")
    ask(page, "Sent while offline")
    expect(page.locator(".msg[data-role=human]", has_text="Sent while offline")).to_have_count(1)
    page.context.set_offline(False)
    expect(page.locator(".msg[data-role=human]", has_text="Sent while offline")).to_have_count(1)
    expect(ai_messages(page)).to_have_count(2, timeout=20_000)
    page.reload()
    expect(page.locator(".msg[data-role=human]", has_text="Sent while offline")).to_have_count(1)


def test_a_database_outage_shows_retrying_and_the_message_arrives_once(start_server, page_factory, mysql_url):
    from sqlalchemy.engine import make_url
    url = make_url(mysql_url)
    proxy = TcpProxy(url.host, url.port)
    try:
        server = start_server(database_url=url.set(port=proxy.port).render_as_string(hide_password=False),
                              DB_POOL_TIMEOUT=2)
        page = page_factory(server.url, 390, 844)
        ask(page, "Hello")
        expect(ai_messages(page)).to_have_count(1)
        proxy.cut()
        ask(page, "Did you get this?")
        expect(page.locator(".msg__status")).to_contain_text("Retrying", timeout=10_000)
        screenshot(page, "student-db-outage-phone")
        proxy.restore()
        expect(page.locator(".msg[data-role=human][data-id]", has_text="Did you get this?")).to_have_count(
            1, timeout=30_000)
        expect(ai_messages(page)).to_have_count(2, timeout=20_000)
        page.reload()
        expect(page.locator(".msg[data-role=human]", has_text="Did you get this?")).to_have_count(1)
    finally:
        proxy.close()


def test_a_streamed_reply_grows_in_one_bubble_that_becomes_the_final_message(start_server, page_factory):
    with SlowStreamingOpenAI() as fake:
        fake.default = lambda request: text(REPLY)
        server = start_server(OPENAI_API_KEY="test-key", OPENAI_BASE_URL=fake.base_url, AI_MAX_RETRIES=0)
        page = page_factory(server.url, 390, 844)
        label = page.get_attribute("body", "data-assistant-label")
        page.evaluate(WATCH_STREAM)
        ask(page, "What is the tuition for graduate students?")

        streaming = page.locator(".msg--streaming")
        expect(streaming).to_have_count(1)
        expect(streaming.locator(".msg__author")).to_have_text(label)
        screenshot(page, "student-streaming-phone")
        final = page.locator(".msg[data-role=ai][data-id]")
        expect(final).to_have_count(1, timeout=15_000)
        expect(final.locator(".msg__bubble")).to_have_text(REPLY)
        expect(streaming).to_have_count(0)
        expect(page.locator(".msg[data-role=ai]")).to_have_count(1)

        shown = page.evaluate("window.__stream")
        texts = list(dict.fromkeys(s["text"] for s in shown if s["text"]))
        assert len(texts) >= 2, shown  # it grew piece by piece ...
        assert all(REPLY.startswith(t) for t in texts), texts  # ... in one bubble, in order
        assert not any(s["typing"] for s in shown if s["text"]), "typing… stays hidden once text streams"
        assert page.console_errors == []


def test_typing_shows_both_ways_and_the_students_stops_by_itself(start_server, page_factory, connect):
    server = start_server()
    session = server.sign_in()
    watcher = connect_admin(connect, server, session)
    desk = connect_admin(connect, server, session)  # not viewing the chat: receives each event once
    assert desk.call("admin_connect", {})["ok"]
    page = page_factory(server.url, 390, 844)
    ask(page, "Hello")
    expect(page.locator(".msg[data-role=ai]")).to_have_count(1)
    chat_id = current_chat(page)
    assert watcher.call("admin_connect", {"chat_id": chat_id})["ok"]

    def student_typing(data, on=True):
        return data["chat_id"] == chat_id and data["who"] == "student" and data["typing"] is on

    desk.events.clear()  # the reply to "Hello" said "not typing" already
    page.locator("#composer-input").press_sequentially("Are there scholarships for you", delay=100)
    watcher.wait_for("typing", student_typing)
    started = [d for d in desk.of("typing") if student_typing(d)]
    assert 1 <= len(started) <= 2, started  # about 3 s of typing, told at most every 2 s
    desk.wait_for("typing", lambda d: student_typing(d, on=False), timeout=8)  # 5 s idle: not stuck

    watcher.emit("admin_typing", {"chat_id": chat_id, "typing": True})
    expect(page.locator("#typing")).to_contain_text("Advisor is typing…")
    screenshot(page, "student-advisor-typing-phone")
    watcher.emit("admin_typing", {"chat_id": chat_id, "typing": False})
    expect(page.locator("#typing")).to_be_hidden()
    assert page.console_errors == []


def test_waiting_students_see_their_place_in_the_queue_until_an_advisor_joins(start_server, page_factory,
                                                                              connect):
    server = start_server(BUSINESS_HOURS="always", AVG_HANDLE_MINUTES=4)
    session = server.sign_in()
    admin = connect_admin(connect, server, session)
    assert admin.call("set_availability", {"available": True})["available_now"]
    first, second = page_factory(server.url, 390, 844), page_factory(server.url, 390, 844)
    ask(first, "I want to talk to a human")
    banner = first.locator("#handoff-banner")
    expect(banner).to_contain_text("An advisor will join shortly")
    expect(banner).to_contain_text("You're next — about 4 minutes")

    ask(second, "I want to talk to a human")
    expect(second.locator("#handoff-banner")).to_contain_text("You are number 2 in the queue, about 8 minutes")
    screenshot(second, "student-queue-phone")

    assert admin.call("toggle_human_enabled", {"chat_id": current_chat(first), "enabled": True})["ok"]
    expect(banner).to_have_attribute("data-tone", "joined")
    expect(banner).not_to_contain_text("queue")
    expect(second.locator("#handoff-banner")).to_contain_text("You're next — about 4 minutes")
    assert first.console_errors == [] and second.console_errors == []


def test_without_an_available_advisor_the_student_is_told_to_book_a_call(start_server, page_factory):
    server = start_server(BUSINESS_HOURS="always")
    page = page_factory(server.url, 390, 844)
    ask(page, "I want to talk to a human")
    banner = page.locator("#handoff-banner")
    expect(banner).to_have_text("No advisor is available right now. You can book a call instead.")
    expect(banner).to_have_attribute("data-tone", "unavailable")
    expect(page.locator(".msg[data-role=ai]").last).to_contain_text("free advisor call slots")
    screenshot(page, "student-no-advisor-phone")
    assert page.console_errors == []


def test_a_closed_conversation_asks_for_a_rating_and_writing_reopens_it(start_server, page_factory, connect):
    server = start_server()
    session = server.sign_in()
    admin = connect_admin(connect, server, session)
    page = page_factory(server.url, 390, 844)
    ask(page, "Hello")
    expect(page.locator(".msg[data-role=ai]")).to_have_count(1)
    chat_id = current_chat(page)

    assert admin.call("close_chat", {"chat_id": chat_id})["ok"]
    card = page.locator(".card--rating")
    expect(card).to_contain_text("This conversation was closed")
    expect(page.locator("#chat-subtitle")).to_have_text("Conversation closed")
    page.reload()  # closed and not rated yet: the form is back
    expect(card.locator("form")).to_be_visible()

    card.get_by_role("radio", name="1 star").focus()  # keyboard only: arrows move along the stars
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    expect(card.get_by_role("radio", name="4 stars")).to_be_checked()
    card.get_by_label("Anything you'd like to add?").fill("Clear answers, thank you")
    screenshot(page, "student-rating-phone")
    card.get_by_role("button", name="Submit").click()
    expect(card).to_contain_text("Thanks for your feedback")
    chat = session.get(f"{server.url}/api/chats/{chat_id}").json()["chat"]
    assert chat["rating"] == 4 and chat["rating_comment"] == "Clear answers, thank you"
    page.reload()
    expect(page.locator(".msg[data-role=ai]")).to_have_count(1)
    expect(card).to_have_count(0)  # rated already

    ask(page, "One more question: when does the spring term start?")
    expect(page.locator("#chat-subtitle")).to_have_text(page.get_attribute("body", "data-assistant-label"))
    expect(page.locator(".msg[data-role=ai]")).to_have_count(2)
    assert admin.call("close_chat", {"chat_id": chat_id})["ok"]
    expect(card.locator("form")).to_be_visible()
    ask(page, "And the fall term?")  # writing reopens the chat: the form goes
    expect(card).to_have_count(0)
    expect(page.locator("#chat-subtitle")).not_to_have_text("Conversation closed")
    assert page.console_errors == []
