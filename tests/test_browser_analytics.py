"""The analytics page in Chromium: its figures, charts and tables after some chats, on a desktop and a phone."""
import re

from playwright.sync_api import expect

from conftest import ai_reply, connect_admin, screenshot
from test_browser_desk import advisor, server  # noqa: F401 - fixtures
from test_student_events import new_chat, send


def test_the_analytics_page_draws_its_figures_after_some_chats(server, advisor, connect, page_factory):
    student = connect(server.url)
    answered, _ = new_chat(student)
    ai_reply(student, answered, send(student, answered, "What is the tuition for graduate students?")["message"]["id"])
    escalated, _ = new_chat(student)
    ai_reply(student, escalated, send(student, escalated, "I want to talk to a human")["message"]["id"])
    admin = connect_admin(connect, server, server.sign_in())
    admin.call("admin_message", {"chat_id": escalated, "message": "Hello! How can I help?"})
    admin.call("close_chat", {"chat_id": escalated})
    student.call("rate_chat", {"chat_id": escalated, "rating": 5, "comment": "Very helpful"})

    advisor.click("#analytics-link")
    expect(advisor).to_have_url(server.url + "/admin/analytics")
    expect(advisor.locator("#analytics")).not_to_have_attribute("aria-busy", "true")
    expect(advisor.locator("#stat-chats")).to_have_text("2")
    expect(advisor.locator("#stat-resolved")).to_have_text("50%")
    expect(advisor.locator("#stat-escalated")).to_have_text("50%")
    expect(advisor.locator("#stat-reply")).to_contain_text("min")
    expect(advisor.locator("#stat-rating")).to_have_text("5.0 / 5")  # figure and unit
    expect(advisor.locator("#models-table tbody")).to_contain_text("Offline assistant")
    expect(advisor.locator("#reasons-list")).to_contain_text("Asked for a person")
    expect(advisor.locator("#comments-list")).to_contain_text("Very helpful")
    expect(advisor.locator("#table-per-day tbody tr")).to_have_count(14)
    expect(advisor.locator("#chart-per-day")).to_have_attribute("aria-label", re.compile(r"Total 2\."))
    expect(advisor.locator("#chart-split")).to_have_attribute("role", "img")
    for canvas in ("#chart-per-day", "#chart-split"):
        drawn = advisor.evaluate("""(selector) => {
            const canvas = document.querySelector(selector);
            const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
            let inked = 0;
            for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) inked++;
            return {inked, crisp: canvas.width === Math.round(canvas.clientWidth * devicePixelRatio)};
        }""", canvas)
        assert drawn["inked"] > 500 and drawn["crisp"], (canvas, drawn)
    screenshot(advisor, "analytics-desktop")

    advisor.click("[data-days='30']")
    expect(advisor.locator("#table-per-day tbody tr")).to_have_count(30)
    expect(advisor).to_have_url(server.url + "/admin/analytics?days=30")

    phone = page_factory(server.url + "/admin/analytics?days=30", 390, 844)
    phone.context.add_cookies(advisor.context.cookies())  # signed in as the advisor
    phone.goto(server.url + "/admin/analytics?days=30")
    expect(phone.locator("[data-days='30']")).to_have_attribute("aria-pressed", "true")
    expect(phone.locator("#stat-chats")).to_have_text("2")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "analytics-phone")
    assert phone.console_errors == []
