/* The advisor-call slots of the coming days, booked ones with their chat and a Cancel button. */
import { byId, dateOnly, el, numberFormat } from "../shared/dom.js";
import { errorOf } from "../shared/protocol.js";
import { announce, api, chatName, notice, ok, state } from "./page.js";
import { statusBadge } from "./chat-list.js";
import { lang, t, tn } from "../shared/i18n.js";

const dayTitle = new Intl.DateTimeFormat(lang, { weekday: "short", day: "numeric", month: "short" });
const ui = { days: byId("bookings-days"), empty: byId("bookings-empty"), summary: byId("bookings-summary"), tab: byId("tab-booked-count") };
let loading = null;
let again = false;

export function renderBookings(slots) {
  state.slots = slots;
  const days = new Map();
  slots.forEach((slot) => {
    if (!days.has(slot.date)) days.set(slot.date, []);
    days.get(slot.date).push(slot);
  });
  const today = new Date();
  const tomorrow = new Date(today.getFullYear(), today.getMonth(), today.getDate() + 1);
  const sections = [];
  days.forEach((daySlots, date) => {
    const day = dateOnly(date);
    const section = el("section", "day");
    section.dataset.date = date;
    const head = el("div", "day__head");
    const title = el("h3", "day__title", day ? dayTitle.format(day) : date);
    if (day && day.toDateString() === today.toDateString()) title.append(el("span", "day__tag", t("Today")));
    else if (day && day.toDateString() === tomorrow.toDateString()) title.append(el("span", "day__tag", t("Tomorrow")));
    const booked = daySlots.filter((s) => s.chat_id).length;
    head.append(title, el("p", "day__meta", t("%(booked)s booked · %(free)s free", { booked, free: daySlots.length - booked })));
    const list = el("ul", "slots");
    daySlots.forEach((slot) => list.append(renderSlot(slot)));
    section.append(head, list);
    sections.push(section);
  });
  ui.days.replaceChildren(...sections);
  ui.empty.hidden = slots.length > 0;
  const total = slots.filter((s) => s.chat_id).length;
  ui.summary.textContent = tn("%(n)s call booked", "%(n)s calls booked", total, { n: numberFormat.format(total) });
  ui.tab.textContent = numberFormat.format(total);
  ui.tab.hidden = total === 0;
}

function renderSlot(slot) {
  const item = el("li", "slot");
  item.dataset.slotId = String(slot.id);
  item.dataset.booked = String(Boolean(slot.chat_id));
  const time = el("span", "slot__time", slot.time);
  if (!slot.chat_id) {
    item.classList.add("slot--free");
    item.title = slot.label + ": free";
    item.append(time, el("span", "visually-hidden", " free"));
    return item;
  }
  item.classList.add("slot--booked");
  const open = el("button", "slot__chat");
  open.type = "button";
  open.dataset.openChat = slot.chat_id;
  open.append(el("span", "slot__chat-name", chatName(slot.chat_id)));
  const chat = state.chats.get(slot.chat_id);
  if (chat) open.append(statusBadge(chat.status));
  open.setAttribute("aria-label", t("Open %(chat)s, booked for %(slot)s", { chat: chatName(slot.chat_id), slot: slotLabel(slot) }));
  const cancel = el("button", "button button--small button--danger slot__cancel", t("Cancel"));
  cancel.type = "button";
  cancel.dataset.cancelSlot = String(slot.id);
  cancel.setAttribute("aria-label", t("Cancel the call on %(slot)s", { slot: slotLabel(slot) }));
  cancel.addEventListener("click", () => cancelSlot(slot, cancel));
  item.append(time, open, cancel);
  return item;
}

/** Reload the slots; a change while loading loads them once more after. */
export function refreshBookings() {
  if (loading) {
    again = true;
    return;
  }
  loading = api("/bookings").then((res) => {
    loading = null;
    if (ok(res)) renderBookings(res.body.slots);
    if (again) {
      again = false;
      refreshBookings();
    }
  });
}

/** "Thu 3 Dec, 10:00" in the desk's language. */
function slotLabel(slot) {
  const day = dateOnly(slot.date);
  return (day ? dayTitle.format(day) : slot.date) + ", " + slot.time;
}

function cancelSlot(slot, button) {
  if (!window.confirm(t("Cancel the advisor call on %(slot)s?\nThe student will be told in their chat.", { slot: slotLabel(slot) }))) return;
  button.disabled = true;
  api("/bookings/" + encodeURIComponent(slot.id) + "/cancel", { method: "POST" }).then((res) => {
    if (ok(res)) announce(t("The call on %(slot)s was cancelled.", { slot: slotLabel(slot) }));
    else if (res.status !== 401) notice.show(t("Could not cancel the call: %(error)s", { error: errorOf(res.body).message }));
    refreshBookings();
  });
}
