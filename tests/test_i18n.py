"""The pages' and the server's texts are all in the gettext catalogs, and the ones a student sees
come in the chat's or the page's language.

Conventions these tests hold the code to: templates put text through `_()` / `{% trans %}`; scripts
put every text they show through `t("...")` / `tn("...", "...", n)` from static/js/shared/i18n.js;
the server writes a chat's notices with `havana.i18n.tr(lang, "...")`.
"""
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from havana import i18n

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "tr": (2,), "t": None, "tn": (1, 2), "N_": None}
SPANISH_PO = ROOT / "translations" / "es" / "LC_MESSAGES" / "messages.po"
SCRIPTS = sorted((ROOT / "static" / "js").rglob("*.js"))
TEMPLATES = sorted((ROOT / "templates").glob("*.html"))
# Texts that are the same in every language: the brand's letter and the switch's language codes.
SAME_IN_EVERY_LANGUAGE = {"H", "ES", "EN", "Español", "English"}


def extracted():
    """Every msgid the code marks (templates, scripts, Python), as `make extract-messages` finds them."""
    with open(ROOT / "babel.cfg") as cfg:
        from babel.messages.frontend import parse_mapping_cfg
        method_map, options_map = parse_mapping_cfg(cfg)
    found = {}
    for filename, _, message, _, _ in extract_from_dir(str(ROOT), method_map, options_map, keywords=KEYWORDS):
        found.setdefault(message if isinstance(message, str) else message[0], filename)
    return found


def spanish():
    with SPANISH_PO.open("rb") as po:
        return {m.id if isinstance(m.id, str) else m.id[0]: m for m in read_po(po) if m.id}


def test_every_marked_text_has_a_spanish_translation():
    catalog = spanish()
    missing = {msgid: where for msgid, where in extracted().items()
               if msgid not in catalog or not catalog[msgid].string or catalog[msgid].fuzzy}
    assert not missing, f"not translated in {SPANISH_PO.name} (run `make extract-messages`, then translate): {missing}"


def test_spanish_translations_keep_their_placeholders():
    for msgid, message in spanish().items():
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        for string in strings:
            assert set(re.findall(r"%\((\w+)\)s", string)) == set(re.findall(r"%\((\w+)\)s", msgid)), msgid


class _TextNodes(HTMLParser):
    """Text a person would read: text nodes and labelling attributes, outside scripts and styles."""
    ATTRIBUTES = {"aria-label", "placeholder", "title", "alt", "aria-description"}

    def __init__(self):
        super().__init__()
        self.found, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.found += [value for name, value in attrs if name in self.ATTRIBUTES and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.found.append(data)


def bare_template_texts(source):
    """Words in a template that no `_()`, `{% trans %}` or expression produces."""
    source = re.sub(r"\{#.*?#\}", "", source, flags=re.S)
    # The body's attributes are written in a block of their own (base.html puts them in <body>).
    source = re.sub(r"\{% block body_attrs %\}.*?\{% endblock %\}", "", source, flags=re.S)
    source = re.sub(r"\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}", "", source, flags=re.S)
    source = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", source, flags=re.S)
    parser = _TextNodes()
    parser.feed(source)
    return [text.strip() for text in parser.found
            if re.search(r"[^\W\d_]{2,}", text) and text.strip() not in SAME_IN_EVERY_LANGUAGE]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_templates_show_no_text_outside_the_catalog(template):
    assert bare_template_texts(template.read_text()) == []


def test_the_template_check_catches_a_bare_text():
    assert bare_template_texts('<p>{{ _("Hello") }}</p><button aria-label="Close">x</button><h2>Your chats</h2>') == [
        "Close", "Your chats"]


# A literal that reads as words to a person: a capitalised word, or words with spaces, or "…".
_PROSE = re.compile(r"^(?:[A-Z][a-z]+\b.*|.*[a-z]{2,} [a-z]{2,}.*|.*[^\W\d_].*…)$", re.S)
_STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"|\'((?:[^\'\\\n]|\\.)*)\'|`((?:[^`\\]|\\.)*)`')
# Literals that are code, not text: key names, HTTP headers, DOM and CSS words.
# Literals that are code or names, not text: key names, HTTP headers, the providers' brand names, and the
# BUSINESS_HOURS setting's own format.
CODE_WORDS = {"Enter", "Escape", "Content-Type", "Accept", "X-CSRFToken", "Tab", "ArrowUp", "ArrowDown",
              "ArrowLeft", "ArrowRight", "Home", "End", "Backspace", "PageUp", "PageDown", "OpenAI", "Gemini",
              "Mon-Fri 09:00-17:00", "io server disconnect"}


# What comes just before a literal that is code: el(tag, className, ...), selectors, attribute and event names.
_CODE_CONTEXT = re.compile(
    r"(?:\bel\(|\bel\(\"[^\"]*\", |classList\.\w+\(|querySelector(?:All)?\(|closest\(|byId\(|"
    r"(?:set|get|remove|has)Attribute\(|addEventListener\(|cssColor\(|createElement(?:NS)?\([^)]*|matchMedia\(|"
    r"\.className = |\.className \+= )$")


def bare_script_texts(source):
    """String literals a script could show that do not go through t()/tn()."""
    source = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    source = re.sub(r"(?m)^\s*//.*$|\s//\s.*$", "", source)
    source = re.sub(r"(?m)^\s*(?:import|export \{).*$", "", source)
    found = []
    for match in _STRING.finditer(source):
        text = next(group for group in match.groups() if group is not None)
        before = source[max(0, match.start() - 4):match.start()]
        if re.search(r"\btn?\($|, $", before) and _inside_t_call(source, match.start()):
            continue
        if text in CODE_WORDS or "${" in text or not _PROSE.match(text):
            continue
        if _CODE_CONTEXT.search(source[max(0, match.start() - 80):match.start()]):
            continue  # a tag, class list, selector, attribute name or event: code, not text
        found.append(text)
    return found


def _inside_t_call(source, position):
    """Whether the literal at `position` is an argument of t( / tn( (first or second)."""
    head = source[max(0, position - 400):position]
    call = max(head.rfind("t("), head.rfind("tn("))
    between = re.sub(r"%\(\w+\)s", "", head[call:])  # placeholders are not the call's closing parenthesis
    return call >= 0 and re.search(r"\btn?\($", head[:call + 3]) is not None and between.count(")") == 0


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: str(path.relative_to(ROOT / "static" / "js")))
def test_scripts_show_no_text_outside_t(script):
    assert bare_script_texts(script.read_text()) == []


def test_the_script_check_catches_a_bare_text():
    source = ('el("p", "card__title", "Call booked: ");\nlabel.textContent = t("Sending…");\nnode.className = "msg msg--ai";\n'
              'summary.textContent = total + " calls booked";\nnote.textContent = tn("%(n)s chat", "%(n)s chats", n);')
    assert bare_script_texts(source) == ["Call booked: ", " calls booked"]


def test_notices_are_written_in_the_chats_language():
    assert i18n.tr("es", "Advisor call booked for %(label)s.", label="jueves 3 de diciembre a las 10:00") == (
        "Llamada con un asesor reservada para el jueves 3 de diciembre a las 10:00.")
    assert i18n.tr("en", "Advisor call on %(label)s cancelled.", label="Thursday 3 December at 10:00") == (
        "Advisor call on Thursday 3 December at 10:00 cancelled.")
    assert "cancelada" in i18n.tr("es", "Your advisor call on %(label)s was cancelled by the admissions office. "
                                        "You can book another time here.", label="x")
    assert i18n.tr(None, "The conversation was reopened.") == "The conversation was reopened."
    assert i18n.normalize("es-419") == "es" and i18n.normalize("fr") is None


def test_the_pages_catalog_has_plural_forms_for_tn():
    catalog = i18n.catalog_json("es")
    assert catalog["about %(n)s minute"] == ["unos %(n)s minuto", "unos %(n)s minutos"]
    assert i18n.catalog_json("en") == {}


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_pages_name_the_institution_of_the_knowledge_base(inprocess, language):
    app = inprocess(KNOWLEDGE_BASE_PATH=str(i18n.ROOT / "eval/kb/lakeshore_polytechnic.txt"))
    for path in ("/", "/login"):
        page = app.app.test_client().get(path, headers={"Accept-Language": language}).get_data(as_text=True)
        assert "Lakeshore Polytechnic" in page and "Havana" not in page.replace("Havana Chat", "")
