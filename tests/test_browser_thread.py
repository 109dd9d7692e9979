"""The message thread and renderer both pages share (static/js/shared/), driven in Chromium."""
from playwright.sync_api import expect

XSS = '<img src=x onerror="window.__xss=1">'

# Ignore the events an older server sends beside the student_connect ack: the page must not need them.
WITHOUT_LEGACY_EVENTS = """
Object.defineProperty(window, "io", {
  configurable: true,
  get() { return undefined; },
  set(io) {
    const wrapped = (...args) => {
      const socket = io(...args);
      const on = socket.on.bind(socket);
      const legacy = ["chat_created", "student_connected"];
      socket.on = (event, handler) => (legacy.includes(event) ? socket : on(event, handler));
      return socket;
    };
    Object.defineProperty(window, "io", { value: Object.assign(wrapped, io), writable: true, configurable: true });
  },
});
"""

# A bare thread on the student page's own parts, after the page's modules have loaded.
THREAD = """async (steps) => {
  const { Thread } = await import("/static/js/shared/thread.js");
  const { renderMessage } = await import("/static/js/shared/message.js");
  const list = document.createElement("ol");
  const scroller = document.createElement("div");
  scroller.append(list);
  document.body.append(scroller);
  const parts = { list, scroller, pill: document.createElement("button"), typing: document.createElement("div"),
                  typingText: document.createElement("span") };
  const thread = new Thread(parts, { render: (m) => renderMessage(m, { perspective: steps.perspective }),
    streamAuthor: () => "Assistant", typingText: { assistant: "…" }, typingRoles: {}, isOwn: () => false });
  for (const [kind, data] of steps.calls) {
    if (kind === "add") thread.add(data);
    else if (kind === "delta") thread.delta(data);
  }
  return Array.from(list.children, (node) => ({ id: node.dataset.id || null, text: node.textContent,
    streaming: node.classList.contains("msg--streaming"), imgs: node.querySelectorAll("img").length }));
}"""


def msg(id, role="ai", text="", **extra):
    return {"id": id, "chat_id": "c", "role": role, "message": text or f"m{id}", "created_at": None, **extra}


def test_messages_arriving_out_of_order_are_shown_in_id_order_once(live_server, page_factory):
    page = page_factory(live_server.url)
    shown = page.evaluate(THREAD, {"perspective": "student", "calls": [
        ["add", msg(3)], ["add", msg(1, "human")], ["add", msg(2, "system")],
        ["add", msg(3)], ["add", msg(1, "human")]]})
    assert [s["id"] for s in shown] == ["1", "2", "3"]


def test_a_streamed_reply_is_replaced_by_its_final_message_and_late_pieces_are_dropped(live_server, page_factory):
    page = page_factory(live_server.url)
    shown = page.evaluate(THREAD, {"perspective": "desk", "calls": [
        ["add", msg(1, "human")],
        ["delta", {"chat_id": "c", "stream_id": "s1", "delta": "Tuition is "}],
        ["delta", {"chat_id": "c", "stream_id": "s1", "delta": "$18,500"}],
        ["add", msg(2, text="Tuition is $18,500.", stream_id="s1")],
        ["delta", {"chat_id": "c", "stream_id": "s1", "delta": " late"}]]})
    assert [(s["id"], s["streaming"]) for s in shown] == [("1", False), ("2", False)]
    assert "Tuition is $18,500." in shown[1]["text"] and "late" not in shown[1]["text"]


def test_the_source_of_an_answer_and_the_advisors_display_name_are_shown_as_text(live_server, page_factory):
    page = page_factory(live_server.url)
    shown = page.evaluate(THREAD, {"perspective": "student", "calls": [
        ["add", msg(1, "ai", "Graduate tuition is $18,500.", source="Tuition and fees · " + XSS)],
        ["add", msg(2, "human_operator", "Hi!", author_name="Maria " + XSS, author="maria.login")],
        ["add", msg(3, "ai", "Hello!", source=None)]]})
    assert "Source: Tuition and fees · " + XSS in shown[0]["text"]
    assert "Maria " + XSS in shown[1]["text"] and "maria.login" not in shown[1]["text"]
    assert "Source" not in shown[2]["text"]
    assert all(s["imgs"] == 0 for s in shown) and page.evaluate("window.__xss") is None


def test_an_advisor_without_a_display_name_is_shown_to_the_student_as_admissions_advisor(live_server, page_factory):
    page = page_factory(live_server.url)
    student, desk = (page.evaluate(THREAD, {"perspective": view, "calls": [
        ["add", msg(1, "human_operator", "Hi!", author="maria.login")]]})[0]["text"] for view in ("student", "desk"))
    assert "Admissions advisor" in student and "maria.login" not in student
    assert "maria.login" in desk


def test_the_student_page_works_from_the_connect_ack_alone(live_server, page_factory, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        context.add_init_script(WITHOUT_LEGACY_EVENTS)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(live_server.url)
        page.fill("#composer-input", "What is the tuition for graduate students?")
        page.keyboard.press("Enter")
        expect(page.locator(".msg[data-role=ai][data-id]")).to_contain_text("$18,500")
        chat_id = page.evaluate("localStorage.getItem('havana.current')")
        assert chat_id and page.evaluate("JSON.parse(localStorage.getItem('havana.chats'))[0].token")
        page.reload()
        expect(page.locator(".msg[data-role=ai][data-id]")).to_contain_text("$18,500")
        page.fill("#composer-input", "Thanks!")
        page.keyboard.press("Enter")
        expect(page.locator(".msg[data-role=human][data-id]")).to_have_count(2)
        assert page.evaluate("localStorage.getItem('havana.current')") == chat_id and errors == []
    finally:
        context.close()
