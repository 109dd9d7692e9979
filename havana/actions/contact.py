"""The student's contact details: saved on the chat (from the page's card or through the assistant),
and a call held for them becomes confirmed."""
import db
from assistant.when import slot_label
from db import bookings as booking_db, chats as chat_db
from havana import broadcast, protocol as p
from havana.actions.bookings import confirm_held_booking
from havana.actions.chats import add_notice
from havana.actions.checks import locked_chat
from havana.contact import clean_contact
from havana.errors import ClientError
from havana.i18n import tr
from havana.runtime import runtime


def save_contact(chat_id, name, email, phone=None, method=None, timezone=None):
    """Validate and store the details; confirms a held call. Returns {contact, booking}; raises
    ClientError ('invalid_contact', 'email_has_booking') with a message in the chat's language."""
    with db.transaction():
        chat = locked_chat(chat_id)
        lang = chat["language"]
        contact = clean_contact(lang, name, email, phone, method, timezone)
        held = booking_db.booking_for_chat(chat_id)
        if held:
            other = booking_db.active_for_email(contact["email"], runtime.chatbot.now(), other_than=chat_id)
            if other:
                raise ClientError("email_has_booking", tr(
                    lang, "This e-mail address already has an advisor call booked for %(label)s. Cancel that "
                          "one first, or use another address.", label=slot_label(other["date"], other["time"],
                                                                                 lang or "en")))
        chat_db.set_contact(chat_id, contact["name"], contact["email"], contact["phone"], contact["method"],
                            contact["timezone"])
        chat = dict(chat, contact_name=contact["name"], contact_email=contact["email"],
                    contact_phone=contact["phone"], contact_method=contact["method"],
                    contact_timezone=contact["timezone"] or chat.get("contact_timezone"))
        add_notice(chat_id, tr(lang, "Contact details saved: %(name)s, %(email)s.", name=contact["name"],
                               email=contact["email"]))
        broadcast.contact_saved(chat)
        booking = confirm_held_booking(chat) if held else None
        if held and booking is None:
            booking = booking_db.booking_for_chat(chat_id)  # it was confirmed already (a change of contact)
    return {"contact": p.contact_payload(chat), "booking": p.booking_payload(booking)}

