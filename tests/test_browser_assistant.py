"""The offline assistant in the real student page, in English and in Spanish: a question in a student's own
words answered with its source, a follow-up that leans on the previous turn, and a call booked by its place
in the offered list. With HAVANA_SCREENSHOTS=docs the English pictures are written to docs/screenshots."""
import os
import re

import pytest
from playwright.sync_api import expect

from conftest import ROOT, SCREENSHOTS, LiveServer
from test_browser_contact import fill_contact

DESKTOP = {"width": 1280, "height": 900}  # tall enough for the offered slots and the booking card at once
DOCS = os.environ.get("HAVANA_SCREENSHOTS") == "docs"

# What a student types, and what must come back, from school_data.txt (and its Spanish sibling).
FLOWS = {
    "en": {"locale": "en-US",
           "reworded": "how pricey is the master's for foreigners?", "master": "$18,500",
           "followup": "and for the PhD?", "phd": "$8,000",
           "book": "can I book a call with an advisor?", "first": "the first one",
           "source": r"^Source: \S"},
    "es": {"locale": "es-ES",
           "reworded": "¿cuánto cuesta la maestría para extranjeros?", "master": "$18,500",
           "followup": "¿y el doctorado?", "phd": "$8,000",
           "book": "quiero reservar una llamada", "first": "la primera",
           "source": r"^(Source|Fuente): \S"},
}
# One line of the offered slots: "• Monday 30 November: 09:00, 10:00" / "• lunes 30 de noviembre: 10:00, 11:00".
SLOT_LINE = re.compile(r"^\W*(?P<day>\w+ (?P<number>\d{1,2}) [^:]+?):\s*(?P<time>\d{2}:\d{2})", re.M)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app with the offline assistant on school_data.txt."""
    tmp = tmp_path_factory.mktemp("assistant")
    live = LiveServer({"DATABASE_URL": f"sqlite:///{tmp / 'live.sqlite3'}"}, tmp / "server.log")
    yield live.start()
    live.stop()


@pytest.fixture
def open_page(page_factory):
    """open_page(url, locale) -> a desktop page in that language, without motion."""
    return lambda url, locale: page_factory(url, DESKTOP["width"], DESKTOP["height"], locale=locale,
                                            reduced_motion="reduce")


def ask(page, text, replies):
    """Send text and return the assistant's reply, once the page shows `replies` stored answers."""
    page.fill("#composer-input", text)
    page.keyboard.press("Enter")
    answers = page.locator(".msg[data-role=ai][data-id]")
    expect(answers).to_have_count(replies)
    return answers.last


def shoot(page, name, lang):
    """English pictures go to the docs when asked; everything else to test-results."""
    out = ROOT / "docs" / "screenshots" if DOCS and lang == "en" else SCREENSHOTS
    out.mkdir(parents=True, exist_ok=True)
    page.mouse.move(0, 0)  # no hover state in the picture
    page.screenshot(path=str(out / (f"{name}.png" if lang == "en" else f"{name}-{lang}.png")))


@pytest.mark.parametrize("lang", ["en", "es"])
def test_student_words_follow_ups_and_the_first_one_work_in_the_page(server, open_page, lang):
    flow = FLOWS[lang]
    page = open_page(server.url, flow["locale"])

    answer = ask(page, flow["reworded"], 1)
    expect(answer.locator(".msg__bubble")).to_contain_text(flow["master"])
    expect(answer.locator(".msg__source")).to_have_text(re.compile(flow["source"]))
    shoot(page, "assistant-reworded", lang)

    answer = ask(page, flow["followup"], 2)
    expect(answer.locator(".msg__bubble")).to_contain_text(flow["phd"])
    expect(answer.locator(".msg__bubble")).not_to_contain_text(flow["master"])  # the PhD's, not the master's again
    expect(answer.locator(".msg__source")).to_have_text(re.compile(flow["source"]))
    shoot(page, "assistant-followup", lang)

    offer = ask(page, flow["book"], 3).locator(".msg__bubble")
    expect(offer).to_contain_text(re.compile(r"\d{2}:\d{2}"))
    first = SLOT_LINE.search(offer.text_content())
    assert first, offer.text_content()
    expect(page.locator(".card--booking")).to_have_count(0)

    held = ask(page, flow["first"], 4)
    at = "a las" if lang == "es" else "at"
    expect(held.locator(".msg__bubble")).to_contain_text(f"{first['day']} {at} {first['time']}")
    # The slot is held until the contact confirms it (one call per e-mail: one address per run).
    fill_contact(page, "Ana Pérez", f"ana.{lang}@example.com")
    card = page.locator(".card--booking")
    expect(card).to_have_count(1)
    expect(card).to_contain_text(first["time"])
    expect(card).to_contain_text(re.compile(rf"\b{first['number']}\b"))
    expect(page.locator("#booking-strip")).to_contain_text(first["time"])
    shoot(page, "assistant-first-one", lang)
    assert page.console_errors == []
