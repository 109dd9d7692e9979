"""The server's own texts in a chat's or a page's language, from the same gettext catalogs as the
pages (translations/<lang>/LC_MESSAGES/messages.po, compiled to .mo on first use when stale)."""
import threading
from functools import lru_cache

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from havana.config import ROOT

LANGUAGES = ("en", "es")
DEFAULT = "en"
TRANSLATIONS = ROOT / "translations"
_compile_lock = threading.Lock()


def normalize(lang):
    """'es-419' / 'ES' -> 'es'; anything we do not speak -> None."""
    code = (lang or "").strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else None


def compile_catalogs(directory=TRANSLATIONS):
    """Write each messages.mo that is missing or older than its .po (what `pybabel compile` does),
    so a fresh checkout serves its translations without a separate step."""
    with _compile_lock:
        for po in directory.glob("*/LC_MESSAGES/messages.po"):
            mo = po.with_suffix(".mo")
            if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
                continue
            with po.open("rb") as source:
                catalog = read_po(source, locale=po.parent.parent.name)
            tmp = mo.with_suffix(".mo.tmp")
            with tmp.open("wb") as target:
                write_mo(target, catalog)
            tmp.replace(mo)


@lru_cache(maxsize=None)
def translations(lang):
    compile_catalogs()
    return Translations.load(str(TRANSLATIONS), [normalize(lang) or DEFAULT])


def tr(lang, msgid, **values):
    """`msgid` in `lang` ("en"/"es"/None), with %(name)s placeholders filled from `values`."""
    text = translations(normalize(lang) or DEFAULT).gettext(msgid)
    return text % values if values else text


def catalog_json(lang):
    """The catalog as {msgid: text} (plurals: {singular: [forms]}) for the pages' scripts
    (static/js/shared/i18n.js reads it from a JSON block in base.html); English is the msgids."""
    entries = {}
    for key, text in getattr(translations(normalize(lang) or DEFAULT), "_catalog", {}).items():
        if isinstance(key, tuple):
            entries.setdefault(key[0], []).append(text)
        elif key and text:
            entries[key] = text
    return entries


# -- the pages ------------------------------------------------------------------------------

STUDENT_COOKIE = "lang"  # the student page's ES/EN switch
DESK_COOKIE = "desk_lang"  # each advisor's own language for the desk (a cookie per browser)
COOKIE_AGE = 365 * 24 * 3600


def _is_desk_path(path):
    return path.startswith(("/admin", "/login", "/logout"))


def page_language():
    """The language of the page being served: one the view chose (g.page_lang, e.g. a chat's), else
    the switch's cookie, else the browser's Accept-Language."""
    from flask import g, request
    if g.get("page_lang"):
        return g.page_lang
    cookie = DESK_COOKIE if _is_desk_path(request.path) else STUDENT_COOKIE
    return (normalize(request.cookies.get(cookie))
            or request.accept_languages.best_match(LANGUAGES) or DEFAULT)


def init_app(app):
    """Flask-Babel for the templates, the switch routes, and the catalog for the pages' scripts."""
    from flask import Blueprint, redirect, request
    from flask_babel import Babel

    compile_catalogs()
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=page_language)
    bp = Blueprint("i18n", __name__)

    def switch(cookie, lang, home):
        target = request.args.get("next") or home
        # Only a path on this site: never an open redirect.
        if not target.startswith("/") or target.startswith("//") or "\\" in target:
            target = home
        response = redirect(target)
        response.set_cookie(cookie, normalize(lang) or DEFAULT, max_age=COOKIE_AGE, samesite="Lax",
                            secure=request.is_secure, httponly=True)
        return response

    @bp.get("/language/<lang>")
    def student_language(lang):
        return switch(STUDENT_COOKIE, lang, "/")

    @bp.get("/admin/language/<lang>")
    def desk_language(lang):
        return switch(DESK_COOKIE, lang, "/admin")

    @app.context_processor
    def language_context():
        lang = page_language()
        # The institution the knowledge base (or INSTITUTION_NAME) names: one deployment, one university.
        from havana.runtime import runtime  # here: runtime's actions import this module
        institution = getattr(runtime.chatbot, "institution", None) or "Havana University"
        return {"page_lang": lang, "page_catalog": catalog_json(lang), "languages": LANGUAGES,
                "institution": institution}

    app.register_blueprint(bp)


def N_(msgid):
    """Marks a msgid for `pybabel extract` (-k N_) where the text is translated later, by value."""
    return msgid


# Labels the server sends as data and the pages translate by value (t(msg.model_label), t(msg.author_name)).
SERVER_LABELS = (N_("Offline assistant"), N_("Admissions advisor"))
