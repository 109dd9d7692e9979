"""A student's contact details: validated (e-mail syntax without network look-ups, phone numbers in
international form) and normalised before they are stored on the chat."""
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from db.schema import CONTACT_METHODS
from havana.errors import ClientError
from havana.i18n import N_, tr

MAX_NAME = 120

BAD_NAME = N_("Please give your name (up to 120 characters).")
BAD_EMAIL = N_("That e-mail address doesn't look right. Please check it (for example ana@example.com).")
BAD_PHONE = N_("Please write the phone number in international form, with the country code (for example "
               "+53 5 123 4567).")
PHONE_NEEDED = N_("To be called by phone or WhatsApp, please add your number with its country code.")


def invalid(lang, msgid):
    return ClientError("invalid_contact", tr(lang, msgid))


def clean_contact(lang, name, email, phone=None, method=None, timezone=None):
    """The details as stored ({name, email, phone, method, timezone}); raises ClientError('invalid_contact')
    with a message in `lang` naming what is wrong."""
    name = " ".join((name or "").split())
    if not name or len(name) > MAX_NAME:
        raise invalid(lang, BAD_NAME)
    try:
        # Syntax only: a DNS look-up would block the handler and fail offline.
        email = validate_email((email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise invalid(lang, BAD_EMAIL) from None
    phone = (phone or "").strip() or None
    if phone:
        try:
            number = phonenumbers.parse(phone, None)
        except phonenumbers.NumberParseException:
            raise invalid(lang, BAD_PHONE) from None
        if not phonenumbers.is_valid_number(number):
            raise invalid(lang, BAD_PHONE)
        phone = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if method is not None and method not in CONTACT_METHODS:
        raise ClientError("invalid_payload", "Invalid field 'method'.")
    if method in ("phone", "whatsapp") and not phone:
        raise invalid(lang, PHONE_NEEDED)
    return {"name": name, "email": email, "phone": phone, "method": method or ("phone" if phone else "video"),
            "timezone": clean_timezone(timezone)}


def clean_timezone(name):
    """An IANA zone name the server knows, or None (a wrong one is dropped: it only shows times)."""
    if not name or len(name) > 64:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name

