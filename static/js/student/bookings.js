/* The student's advisor call: the strip under the header and the booked / cancelled cards. */
import { el } from "../shared/dom.js";
import { announce, thread, ui, view } from "./page.js";
import { findChat, saveChat } from "./store.js";
import { lang, t } from "../shared/i18n.js";

const cards = new Set(); // the cards shown in this view, so a repeated event adds none

export function resetBookings() {
  cards.clear();
  showStrip(null);
}

const dayFormat = new Intl.DateTimeFormat(lang, { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" });

/** "Thursday 26 November at 10:00" in the page's language (the slot's own date and time, no zone shift). */
export function bookingLabel(booking) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(booking.date || "");
  if (!match || !booking.time) return booking.label || "";
  const day = dayFormat.format(new Date(Date.UTC(+match[1], +match[2] - 1, +match[3])));
  return t("%(day)s at %(time)s", { day, time: booking.time });
}

function showStrip(booking) {
  ui.bookingStrip.hidden = !booking;
  ui.bookingStripText.textContent = booking ? bookingLabel(booking) : "";
}

/** Show the chat's current booking and remember it with the chat. */
export function setBooking(booking) {
  showStrip(booking);
  if (view.chatId && findChat(view.chatId)) {
    saveChat(view.chatId, { booking: booking ? { id: booking.id, label: bookingLabel(booking) } : null });
  }
}

/** booking_confirmed / booking_cancelled: a card in the conversation, once. */
export function showBookingCard(booking, kind) {
  if (!booking || typeof booking !== "object") return;
  const key = kind + ":" + (booking.id !== undefined ? booking.id : bookingLabel(booking));
  if (cards.has(key)) return;
  cards.add(key);
  thread.addCard(renderCard(booking, kind));
  setBooking(kind === "confirmed" ? booking : null);
  announce((kind === "confirmed" ? t("Call booked: ") : t("Call cancelled: ")) + bookingLabel(booking));
}

function renderCard(booking, kind) {
  const confirmed = kind === "confirmed";
  const card = el("li", "card card--booking" + (confirmed ? "" : " card--cancelled"));
  card.append(calendarIcon(booking.date));
  const body = el("div", "card__body");
  const title = el("p", "card__title", confirmed ? t("Call booked: ") : t("Call cancelled: "));
  title.append(el("strong", null, bookingLabel(booking)));
  body.append(title, el("p", "card__text", confirmed
    ? t("An admissions advisor will call you at that time.")
    : t("This call is no longer booked. Ask here if you'd like another time.")));
  card.append(body);
  return card;
}

/** A small calendar page drawn in CSS, showing the booking's month and day. */
function calendarIcon(isoDate) {
  const icon = el("span", "cal-icon");
  icon.setAttribute("aria-hidden", "true");
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate || "");
  if (match) {
    const date = new Date(Date.UTC(+match[1], +match[2] - 1, +match[3]));
    const month = date.toLocaleString(lang, { month: "short", timeZone: "UTC" });
    icon.append(el("span", "cal-icon__month", month), el("span", "cal-icon__day", String(+match[3])));
  }
  return icon;
}
