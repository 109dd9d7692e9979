"""The four showcase scenarios, with a student and a signed-in advisor in two browser contexts at once."""
import pytest
from playwright.sync_api import expect

from conftest import screenshot

XSS = '<img src=x onerror="window.__xss=1">'


@pytest.fixture
def desk(start_server, page_factory):
    """(server, student page, advisor page) on a fresh server."""
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


def test_1_the_ai_answers_and_the_desk_sees_it_live(desk):
    server, student, advisor = desk
    ask(student, "What is the tuition for graduate students?")
    expect(student.locator(".msg[data-role=ai]").last).to_contain_text("$18,500")
    expect(row(advisor)).to_contain_text("$18,500")
    row(advisor).locator("[data-open-chat]").first.click()
    expect(advisor.locator("#chat-view [data-role=ai]").last).to_contain_text("$18,500")
    expect(advisor.locator("#chat-view [data-role=ai] .model-tag").last).to_contain_text("Offline assistant")
    assert student.console_errors == [] and advisor.console_errors == []


def test_2_an_escalation_stands_out_on_the_desk(desk):
    server, student, advisor = desk
    ask(student, "Hello")
    expect(student.locator(".msg[data-role=ai]")).to_have_count(1)
    ask(student, "I want to talk to a human")
    expect(student.locator("#handoff-banner")).to_be_visible()
    expect(advisor.locator("#escalation-alert")).to_contain_text("needs a human")
    expect(row(advisor).locator(".status-badge")).to_have_attribute("data-status", "waiting_human")
    screenshot(advisor, "admin-escalation-desktop")


def test_3_an_advisor_takes_over_chats_and_hands_back(desk):
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


def test_4_the_ai_books_a_call_and_the_bookings_panel_shows_it(desk):
    server, student, advisor = desk
    ask(student, "Book a call with an advisor")
    expect(student.locator(".msg[data-role=ai]").last).to_contain_text("free advisor call slots")
    ask(student, "tomorrow at 10am")
    expect(student.locator(".card--booking")).to_contain_text("10:00")
    booked = advisor.locator("#bookings-panel li.slot[data-booked=true]")
    expect(booked).to_have_count(1)
    expect(booked.first).to_contain_text("10:00")
    screenshot(advisor, "admin-booking-desktop")
    advisor.once("dialog", lambda dialog: dialog.accept())
    booked.first.locator("[data-cancel-slot]").click()
    expect(advisor.locator("#bookings-panel li.slot[data-booked=true]")).to_have_count(0)
    expect(student.locator(".msg[data-role=system]").last).to_contain_text("was cancelled")
