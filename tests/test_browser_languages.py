"""The student page in Spanish and in English, end to end in Chromium: the page follows the browser's
language and its ES/EN switch, and every notice of a chat (booking, hand-off, closing, rating) comes in
the chat's language. With HAVANA_SCREENSHOTS=docs the pictures go to docs/screenshots."""
import os
import re

import pytest
from playwright.sync_api import expect

from conftest import ROOT, SCREENSHOTS, connect_admin
from havana import i18n
from test_browser_contact import fill_contact

OUT = ROOT / "docs" / "screenshots" if os.environ.get("HAVANA_SCREENSHOTS") == "docs" else SCREENSHOTS
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from conftest import LiveServer
    tmp = tmp_path_factory.mktemp("languages")
    live = LiveServer({"DATABASE_URL": f"sqlite:///{tmp / 'live.sqlite3'}", "BUSINESS_HOURS": "always"},
                      tmp / "server.log").start()
    yield live
    live.stop()


@pytest.fixture
def open_page(page_factory):
    """open_page(url, locale, viewport=PHONE) -> a page whose browser asks for `locale` (Accept-Language)."""
    return lambda url, locale, viewport=PHONE: page_factory(url, viewport["width"], viewport["height"],
                                                            locale=locale, reduced_motion="reduce")


def ask(page, text):
    page.fill("#composer-input", text)
    page.keyboard.press("Enter")


def replies(page):
    return page.locator(".msg[data-role=ai]")


def notices(page):
    return page.locator(".msg[data-role=system]")


def english_system_strings():
    """The English texts the product writes itself (every translated msgid with no placeholder, and the
    fixed part of those with one), which a Spanish conversation must never show."""
    texts = set()
    for msgid, text in i18n.catalog_json("es").items():
        if isinstance(text, list) or text == msgid:
            continue
        texts.update(part.strip() for part in re.split(r"%\(\w+\)s", msgid) if len(part.strip()) >= 12)
    return texts


def chat_id_of(page):
    return page.evaluate("localStorage.getItem('havana.current')")


def close_from_the_desk(server, connect, chat_id):
    session = server.sign_in()
    advisor = connect_admin(connect, server, session)
    assert advisor.call("admin_connect", {})["ok"]
    assert advisor.call("close_chat", {"chat_id": chat_id})["status"] == "closed"
    return advisor


def test_a_whole_spanish_conversation_is_in_spanish(server, open_page, connect):
    page = open_page(server.url, "es-ES")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("[data-lang-switch=es]")).to_have_attribute("aria-current", "true")
    expect(page.locator("#welcome")).to_contain_text("asistente de admisiones")
    expect(page.locator("#composer-input")).to_have_attribute("placeholder", "Pregunta sobre admisiones…")

    ask(page, "¿Cuánto cuesta la matrícula de posgrado?")
    expect(replies(page)).to_have_count(1)
    expect(replies(page).last).to_contain_text("18")
    ask(page, "¿Y para estudiantes internacionales?")
    expect(replies(page)).to_have_count(2)

    ask(page, "Quiero reservar una llamada con un asesor")
    expect(replies(page)).to_have_count(3)
    ask(page, "el jueves a las 10")
    expect(page.locator(".card--contact")).to_contain_text("Llamada reservada provisionalmente")
    fill_contact(page, "Ana Pérez", "ana.es@example.com")
    expect(page.locator(".card--contact")).to_contain_text("Gracias, Ana Pérez")
    expect(page.locator(".card--booking")).to_contain_text("jueves")
    expect(page.locator(".card--booking")).to_contain_text("Llamada reservada")
    expect(notices(page).last).to_contain_text("reservada para el jueves")
    expect(page.locator("#booking-strip")).to_contain_text("10:00")

    ask(page, "Quiero hablar con una persona")
    expect(page.locator("#chat-subtitle")).to_have_text("Esperando a un asesor")
    expect(notices(page).filter(has_text="Te estamos conectando con un asesor de admisiones")).to_have_count(1)
    expect(page.locator("#handoff-banner")).to_contain_text("asesor")

    advisor = close_from_the_desk(server, connect, chat_id_of(page))
    assert advisor.call("admin_connect", {"chat_id": chat_id_of(page)})["chat"]["language"] == "es"
    expect(page.locator(".card--rating")).to_contain_text("Esta conversación se ha cerrado")
    expect(notices(page).last).to_contain_text("La oficina de admisiones ha cerrado esta conversación")
    page.locator(".card--rating label.star").nth(3).click()
    page.locator(".rating__submit").click()
    expect(page.locator(".rating__thanks")).to_have_text("Gracias por tu opinión")
    page.screenshot(path=str(_shot("student-es")))

    shown = page.locator("body").inner_text()
    leaked = sorted(text for text in english_system_strings() if text in shown)
    assert leaked == [], f"English system text in a Spanish conversation: {leaked}"
    assert page.console_errors == []


def test_a_whole_english_conversation_is_in_english(server, open_page, connect):
    page = open_page(server.url, "en-US")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("[data-lang-switch=en]")).to_have_attribute("aria-current", "true")

    ask(page, "What is the tuition for graduate students?")
    expect(replies(page).last).to_contain_text("$18,500")
    ask(page, "And for international students?")
    expect(replies(page)).to_have_count(2)
    ask(page, "Book a call with an advisor")
    expect(replies(page)).to_have_count(3)
    ask(page, "Thursday at 11am")  # the Spanish conversation has Thursday at 10
    fill_contact(page, "Ann Smith", "ann.en@example.com")
    expect(page.locator(".card--booking")).to_contain_text("Thursday")
    expect(notices(page).last).to_contain_text("Advisor call booked for Thursday")
    ask(page, "I want to talk to a human")
    expect(page.locator("#chat-subtitle")).to_have_text("Waiting for an advisor")
    expect(notices(page).filter(has_text="You're being connected to an admissions advisor.")).to_have_count(1)

    close_from_the_desk(server, connect, chat_id_of(page))
    expect(page.locator(".card--rating")).to_contain_text("This conversation was closed")
    page.locator(".card--rating label.star").nth(4).click()
    page.locator(".rating__submit").click()
    expect(page.locator(".rating__thanks")).to_have_text("Thanks for your feedback")
    page.screenshot(path=str(_shot("student-en")))
    shown = page.locator("body").inner_text()
    for spanish in ("reservada", "asesor", "Esperando", "conversación"):
        assert spanish not in shown
    assert page.console_errors == []


def test_the_switch_changes_the_page_and_the_chats_notices_and_is_remembered(server, open_page, connect):
    page = open_page(server.url, "en-US")
    ask(page, "Hello")
    expect(replies(page)).to_have_count(1)
    page.locator("[data-lang-switch=es]").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("#new-chat")).to_contain_text("Nuevo chat")
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "es")  # the cookie remembers the choice
    expect(page.locator(".msg[data-role=human]")).to_contain_text("Hello")  # the same chat
    # The student chose Spanish: an English message no longer changes the chat's notices.
    ask(page, "I want to talk to a human")
    expect(notices(page).filter(has_text="Te estamos conectando")).to_have_count(1)
    advisor = close_from_the_desk(server, connect, chat_id_of(page))
    expect(notices(page).last).to_contain_text("La oficina de admisiones")
    assert advisor.call("admin_connect", {"chat_id": chat_id_of(page)})["chat"]["language"] == "es"
    page.locator("[data-lang-switch=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#new-chat")).to_contain_text("New chat")


def _shot(name):
    OUT.mkdir(parents=True, exist_ok=True)
    return OUT / f"{name}.png"


def test_the_desk_is_in_its_advisors_language_and_shows_each_chats_language(server, open_page, connect):
    from test_student_events import new_chat, send
    from conftest import ai_reply
    student = connect(server.url)
    chat_id, _ = new_chat(student)
    ai_reply(student, chat_id, send(student, chat_id, "Hola, ¿cuánto cuesta la matrícula de posgrado?")["message"]["id"])

    desk = open_page(server.url + "/login", "en-US", DESKTOP)
    expect(desk.locator("html")).to_have_attribute("lang", "en")
    desk.fill("#username", "admin")
    desk.fill("#password", server.first_admin_password())
    desk.click("button[type=submit]")
    expect(desk.locator("#connection-status")).to_have_attribute("data-state", "connected")
    expect(desk.locator("#tab-chats")).to_contain_text("Chats")
    desk.locator("[data-lang-switch=es]").click()  # this advisor's own choice, kept in a cookie
    expect(desk.locator("html")).to_have_attribute("lang", "es")
    expect(desk.locator("#tab-bookings")).to_contain_text("Llamadas con asesores")
    expect(desk.locator("#connection-status")).to_have_attribute("data-state", "connected")
    expect(desk.locator("#connection-text")).to_have_text("En vivo")
    row = desk.locator(f"#chat-list [data-chat-id='{chat_id}']")
    expect(row.locator(".lang-badge")).to_have_text("ES")
    expect(row.locator(".lang-badge")).to_have_attribute("title", "Idioma del chat: Español")
    row.locator("[data-open-chat]").click()
    expect(desk.locator("#chat-language .lang-badge")).to_have_text("ES")
    expect(desk.locator("#chat-status")).to_have_text("Responde la IA")
    expect(desk.locator("#chat-view [data-id]").first).to_be_visible()
    desk.screenshot(path=str(_shot("desk-es")))

    # The student's page stays in the student's language whatever the advisor reads.
    student_page = open_page(server.url, "en-US")
    expect(student_page.locator("html")).to_have_attribute("lang", "en")
    assert desk.console_errors == [] and student_page.console_errors == []
