"""What each mail says, in the chat's language: rendered from templates/mail/ with `tr`."""
import hashlib
import hmac
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime
from jinja2 import Environment, FileSystemLoader, select_autoescape

from havana.config import ROOT
from havana.i18n import N_, normalize, tr
from havana.mail import invite, links
from havana.runtime import runtime

CALL_MINUTES = 30
_env = Environment(loader=FileSystemLoader(str(ROOT / "templates" / "mail")),
                   autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)

# msgids of how the student will be called (contact_method), shown in mails and on the manage page.
METHODS = {"phone": N_("By phone"), "whatsapp": N_("By WhatsApp"), "video": N_("Video call")}


def call_start(slot):
    """The call's start, aware, in the university's zone (slots are stored as its local date and time)."""
    return datetime.combine(slot["date"], slot["time"], tzinfo=ZoneInfo(runtime.config.TIMEZONE))


def student_zone(chat):
    """The student's own zone (from their browser), or None when unknown, invalid or the university's."""
    name = chat.get("contact_timezone")
    if not name or name == runtime.config.TIMEZONE:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def when(start, lang, zone=None):
    """'Tuesday, 2 December 2026, 10:00 (America/Havana)' in lang."""
    zone = zone or start.tzinfo
    text = format_datetime(start, "EEEE d MMMM y, HH:mm", tzinfo=zone, locale=normalize(lang) or "en")
    return f"{text} ({zone.key})"


def meeting_url(chat, slot):
    """The video room of this call: unguessable, the same for every mail about it."""
    token = hmac.new(runtime.secret_key.encode(), f"meeting:{chat['id']}".encode(), hashlib.sha256).hexdigest()[:12]
    return runtime.config.MEETING_URL_TEMPLATE.format(booking_id=chat["id"][:12], token=token, slot_id=slot["id"])


def _call_facts(chat, slot, lang):
    start = call_start(slot)
    zone = student_zone(chat)
    method = chat.get("contact_method") or "phone"
    return {
        "start": start,
        "when_university": when(start, lang),
        "when_student": when(start, lang, zone) if zone else None,
        "method": tr(lang, METHODS.get(method, METHODS["phone"])),
        "phone": chat.get("contact_phone"),
        "meeting_url": meeting_url(chat, slot) if method == "video" else None,
        "name": chat.get("contact_name") or "",
        "institution": getattr(runtime.chatbot, "institution", "") or "",
    }


SUBJECTS = {
    "confirmed": N_("Your advisor call: %(when)s"),
    "moved": N_("Your advisor call was moved: %(when)s"),
    "cancelled": N_("Your advisor call on %(when)s was cancelled"),
    "reminder": N_("Reminder: your advisor call %(when)s"),
}


def _render(template, lang, **values):
    def _(msgid, **kw):
        return tr(lang, msgid, **kw)
    return (_env.get_template(template + ".txt").render(_=_, **values),
            _env.get_template(template + ".html").render(_=_, **values))


def booking(chat, slot, kind, sequence, advisor=False):
    """The student's (or, advisor=True, the advisors') mail and invite about the chat's call."""
    lang = "en" if advisor else (chat.get("language") or "en")
    facts = _call_facts(chat, slot, lang)
    subject = tr(lang, SUBJECTS[kind], when=facts["when_university"])
    brief = _brief_text(chat) if advisor else None
    manage = None if advisor else links.manage_url(chat["id"])
    text, html = _render("booking", lang, kind=kind, advisor=advisor, brief=brief, manage_url=manage,
                         contact=_contact(chat), **facts)
    cancel = kind == "cancelled"
    description = "\n".join(filter(None, [
        tr(lang, "How we'll call you: %(method)s", method=facts["method"]),
        facts["meeting_url"], (_contact(chat) + "\n\n" + (brief or "")) if advisor else None,
        (tr(lang, "Move or cancel: %(url)s", url=manage) if manage else None),
    ]))
    if advisor:
        attendee_email, attendee_name = runtime.config.ADVISOR_MAIL, "Admissions"
        summary = f"Advisor call with {facts['name'] or 'a student'}"
    else:
        attendee_email, attendee_name = chat["contact_email"], facts["name"]
        summary = tr(lang, "Advisor call with %(institution)s", institution=facts["institution"] or "Admissions")
    ics = invite.build(uid=invite.booking_uid(chat["id"]), sequence=sequence, cancel=cancel, start=facts["start"],
                       end=facts["start"] + timedelta(minutes=CALL_MINUTES), summary=summary,
                       description=description, location=facts["meeting_url"] or facts["method"],
                       attendee_email=attendee_email, attendee_name=attendee_name)
    return {"subject": subject, "body_text": text, "body_html": html, "ics": ics}


def reminder(chat, slot, hours):
    lang = chat.get("language") or "en"
    facts = _call_facts(chat, slot, lang)
    text, html = _render("booking", lang, kind="reminder", advisor=False, brief=None, contact=None,
                         manage_url=links.manage_url(chat["id"]), **facts)
    return {"subject": tr(lang, SUBJECTS["reminder"], when=facts["when_university"]),
            "body_text": text, "body_html": html, "ics": None}


def answer(chat, messages):
    """One mail with an advisor's messages to a student who had left, and the link back into the chat."""
    lang = chat.get("language") or "en"
    text, html = _render("answer", lang, name=chat.get("contact_name") or "", messages=messages,
                         reopen_url=links.reopen_url(chat["id"]))
    return {"subject": tr(lang, "An admissions advisor answered you"), "body_text": text, "body_html": html}


def _contact(chat):
    parts = [chat.get("contact_name"), chat.get("contact_email"), chat.get("contact_phone"),
             chat.get("contact_method") and f"({chat['contact_method']})"]
    return " ".join(p for p in parts if p)


def _brief_text(chat):
    """The hand-off brief (JSON written at escalation) as plain lines for the advisor."""
    try:
        brief = json.loads(chat.get("brief") or "null")
    except ValueError:
        return chat.get("brief")
    if not isinstance(brief, dict):
        return None
    lines = []
    for key, value in brief.items():
        if key == "model" or not value:
            continue
        if isinstance(value, list):
            value = "; ".join(str(v) for v in value)
        lines.append(f"{key.replace('_', ' ').capitalize()}: {value}")
    return "\n".join(lines)
