/* The student's contact details beside the hand-off brief, and as one line in the bookings panel. */
import { byId } from "../shared/dom.js";
import { t } from "../shared/i18n.js";

const METHOD_NAMES = { phone: t("Phone call"), whatsapp: t("WhatsApp"), video: t("Video call") };
const ui = { box: byId("chat-contact"), text: byId("chat-contact-text") };

/** "Ana Pérez · ana@example.com · +5351234567 · prefers WhatsApp" (user text: textContent only). */
export function contactLine(contact) {
  if (!contact || typeof contact !== "object") return "";
  const parts = [contact.name, contact.email, contact.phone].filter(Boolean);
  if (contact.method && METHOD_NAMES[contact.method]) {
    parts.push(t("prefers %(method)s", { method: METHOD_NAMES[contact.method] }));
  }
  return parts.join(" · ");
}

export function renderContact(chat) {
  const line = contactLine(chat && chat.contact);
  ui.box.hidden = !line;
  ui.text.textContent = line;
}
