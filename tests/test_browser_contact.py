"""The contact card in Chromium: a call booked in the chat is held, the student fills the card (a bad
e-mail first), the call is confirmed, and the desk shows the contact (two browser contexts)."""
import os

from playwright.sync_api import expect

from conftest import ROOT, SCREENSHOTS

OUT = ROOT / "docs" / "screenshots" if os.environ.get("HAVANA_SCREENSHOTS") == "docs" else SCREENSHOTS


def ask(page, text):
    page.fill("#composer-input", text)
    page.keyboard.press("Enter")


def fill_contact(page, name, email, phone=None, method=None):
    """Fill and send the contact card shown in the conversation."""
    card = page.locator(".card--contact").last
    expect(card).to_be_visible()
    card.locator("input[name=name]").fill(name)
    card.locator("input[name=email]").fill(email)
    if phone:
        card.locator("input[name=phone]").fill(phone)
    if method:
        card.locator(f"input[type=radio][value={method}]").check()
    card.locator("button[type=submit]").click()
    return card


def test_a_call_booked_in_the_chat_is_confirmed_by_the_contact_card_and_the_desk_sees_it(start_server, page_factory):
    server = start_server(BUSINESS_HOURS="always")
    advisor = page_factory(server.url + "/login")
    advisor.fill("#username", "admin")
    advisor.fill("#password", server.first_admin_password())
    advisor.click("button[type=submit]")
    expect(advisor.locator("#connection-status")).to_have_attribute("data-state", "connected")
    student = page_factory(server.url, 390, 844)

    ask(student, "Book a call with an advisor")
    expect(student.locator(".msg[data-role=ai]").last).to_contain_text("free advisor call slots")
    ask(student, "tomorrow at 10am")
    card = student.locator(".card--contact")
    expect(card).to_contain_text("10:00")
    expect(student.locator(".msg[data-role=system]").last).to_contain_text("held")
    expect(student.locator(".card--booking")).to_have_count(0)
    held = advisor.locator("#bookings-panel li.slot--held")
    expect(held).to_have_count(1)
    expect(held).to_contain_text("Held until the student gives their contact")

    fill_contact(student, "Ana Pérez", "ana@@example", "+53 5 123 4567", "whatsapp")
    expect(card.locator(".field__error")).to_contain_text("doesn't look right")
    expect(card.locator("input[name=name]")).to_have_value("Ana Pérez")  # nothing typed is lost
    card.evaluate("node => node.scrollIntoView({block: 'end'})")
    OUT.mkdir(parents=True, exist_ok=True)
    student.screenshot(path=str(OUT / "contact-card.png"))
    card.locator("input[name=email]").fill("ana@example.com")
    expect(card.locator(".field__error")).to_be_empty()
    card.locator("button[type=submit]").click()

    expect(card).to_contain_text("Thanks, Ana Pérez. We'll reach you at ana@example.com.")
    expect(student.locator(".card--booking")).to_contain_text("10:00")
    booked = advisor.locator("#bookings-panel li.slot[data-booked=true]")
    expect(booked).to_have_count(1)
    expect(booked.first).to_contain_text("Ana Pérez · ana@example.com · +5351234567 · prefers WhatsApp")
    expect(advisor.locator("#bookings-panel li.slot--held")).to_have_count(0)

    booked.first.locator("[data-open-chat]").click()
    expect(advisor.locator("#chat-contact")).to_be_visible()
    expect(advisor.locator("#chat-contact-text")).to_contain_text("ana@example.com")
    booked.first.locator(".slot__claim").click()
    expect(advisor.locator("#bookings-panel li.slot[data-booked=true]").first).to_contain_text("Your call")
    advisor.check("#bookings-mine")
    expect(advisor.locator("#bookings-panel li.slot[data-booked=true]")).to_have_count(1)
    assert student.console_errors == [] and advisor.console_errors == []
