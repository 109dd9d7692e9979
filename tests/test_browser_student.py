"""The student page in Chromium, used the way a student on a phone uses it."""
from playwright.sync_api import expect

from conftest import screenshot
from tcp_proxy import TcpProxy

XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


def ask(page, text):
    page.fill("#composer-input", text)
    page.keyboard.press("Enter")


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
    page.wait_for_timeout(500)
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
