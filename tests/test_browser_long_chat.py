"""A long chat in Chromium: the student page and the desk open on its latest messages and, scrolling to
the top, load the older ones a page at a time, keeping the reader's place."""
from playwright.sync_api import expect
from sqlalchemy import insert, select

import db
from db.schema import chat_history

SEEDED = 620  # more than the 500 a chat opens on


def seed(server, chat_id, count=SEEDED):
    """Append `count` messages to the chat in the server's database; all its ids, oldest first."""
    engine = db.build_engine(server.env["DATABASE_URL"])
    try:
        with engine.begin() as conn:
            now = db.utcnow()
            conn.execute(insert(chat_history), [
                {"chat_id": chat_id, "role": "human" if i % 2 == 0 else "ai", "message": f"Old message {i}",
                 "created_at": now} for i in range(count)])
            return list(conn.execute(select(chat_history.c.id).where(chat_history.c.chat_id == chat_id)
                                     .order_by(chat_history.c.id)).scalars())
    finally:
        engine.dispose()


def shown_ids(page, list_selector):
    return page.locator(f"{list_selector} .msg[data-id]").evaluate_all("ns => ns.map(n => Number(n.dataset.id))")


def scroll_back_to_the_start(page, scroller, list_selector, ids):
    """Scroll to the top until the first message is shown; each page keeps the old top message in place."""
    messages = page.locator(f"{list_selector} .msg[data-id]")
    while messages.count() < len(ids):
        shown = messages.count()
        oldest = min(shown_ids(page, list_selector))
        # Read where the oldest message sits in the same task that scrolls: the page loads afterwards.
        top = page.evaluate("""([scroller, id]) => {
            document.querySelector(scroller).scrollTo({ top: 0, behavior: "instant" });
            return document.querySelector(`.msg[data-id="${id}"]`).getBoundingClientRect().top;
        }""", [scroller, oldest])
        expect(messages).not_to_have_count(shown)
        after = page.evaluate("id => document.querySelector(`.msg[data-id=\"${id}\"]`).getBoundingClientRect().top",
                              oldest)
        # The reader's place holds to a few pixels (layout rounding while the page settles); without the
        # correction the oldest message would jump by the whole page loaded above it, thousands of pixels.
        assert abs(after - top) <= 8, (top, after)


def test_a_long_chat_opens_on_its_latest_messages_and_scrolls_back_to_the_first(start_server, page_factory):
    server = start_server()
    student = page_factory(server.url, 390, 844)
    student.fill("#composer-input", "Hello, what programmes do you offer?")
    student.keyboard.press("Enter")
    expect(student.locator(".msg[data-role=ai]")).to_have_count(1)
    chat_id = student.evaluate("localStorage.getItem('havana.current')")
    ids = seed(server, chat_id)
    assert len(ids) == SEEDED + 2

    earlier_pages = []
    student.on("request", lambda r: earlier_pages.append(r.url) if "before_id=" in r.url else None)
    student.reload()
    last = student.locator(f"#message-list .msg[data-id='{ids[-1]}']")
    expect(last).to_be_in_viewport()
    expect(student.locator("#message-list .msg[data-id]")).to_have_count(500)
    assert earlier_pages == []

    scroll_back_to_the_start(student, "#messages", "#message-list", ids)
    first = student.locator(f"#message-list .msg[data-id='{ids[0]}']")
    expect(first).to_contain_text("Hello, what programmes do you offer?")
    assert shown_ids(student, "#message-list") == ids  # in order, each once
    # has_more was false: scrolling to the top again asks for nothing.
    student.evaluate("document.getElementById('messages').scrollTop = 1")
    student.evaluate("document.getElementById('messages').scrollTop = 0")
    expect(first).to_be_in_viewport()
    assert len(earlier_pages) == 1
    assert student.console_errors == []

    advisor = page_factory(server.url + "/login")
    advisor.fill("#username", "admin")
    advisor.fill("#password", server.first_admin_password())
    advisor.click("button[type=submit]")
    advisor.locator(f"#chat-list [data-chat-id='{chat_id}'] [data-open-chat]").click()
    expect(advisor.locator(f"#chat-view .msg[data-id='{ids[-1]}']")).to_be_in_viewport()
    expect(advisor.locator("#chat-view .msg[data-id]")).to_have_count(500)

    scroll_back_to_the_start(advisor, "#chat-scroller", "#chat-view", ids)
    expect(advisor.locator(f"#chat-view .msg[data-id='{ids[0]}']")).to_contain_text("Hello, what programmes")
    assert shown_ids(advisor, "#chat-view") == ids
    assert advisor.console_errors == []
