/* The advisor-call slots of the coming days: booked ones with their chat, the student's contact, who
   claimed the call and how it went; select several to cancel them in one action; "my calls". */
import { byId, dateOnly, el, numberFormat } from "../shared/dom.js";
import { errorOf } from "../shared/protocol.js";
import { announce, api, chatName, me, notice, ok, state } from "./page.js";
import { statusBadge } from "./chat-list.js";
import { contactLine } from "./contact.js";
import { lang, t, tn } from "../shared/i18n.js";

const dayTitle = new Intl.DateTimeFormat(lang, { weekday: "short", day: "numeric", month: "short" });
const ui = { days: byId("bookings-days"), empty: byId("bookings-empty"), summary: byId("bookings-summary"), tab: byId("tab-booked-count"),
             mine: byId("bookings-mine"), cancelSelected: byId("bookings-cancel-selected") };
const OUTCOMES = { attended: t("Attended"), no_show: t("No-show") };
const selected = new Set(); // slot ids ticked for a batch cancel
let loading = null;
let again = false;

ui.mine.addEventListener("change", () => refreshBookings());
ui.cancelSelected.addEventListener("click", cancelSelected);

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
  const live = new Set(slots.filter((s) => s.chat_id).map((s) => s.id));
  [...selected].forEach((id) => { if (!live.has(id)) selected.delete(id); });
  ui.cancelSelected.disabled = selected.size === 0;
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
  if (slot.held_until) item.classList.add("slot--held");
  const pick = el("input", "slot__pick");
  pick.type = "checkbox";
  pick.checked = selected.has(slot.id);
  pick.setAttribute("aria-label", t("Select the call on %(slot)s", { slot: slotLabel(slot) }));
  pick.addEventListener("change", () => {
    if (pick.checked) selected.add(slot.id);
    else selected.delete(slot.id);
    ui.cancelSelected.disabled = selected.size === 0;
  });
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
  const row = el("div", "slot__row");
  row.append(pick, time, open, cancel);
  item.append(row, callDetails(slot));
  return item;
}

/** The contact and preferred way, whether the call is only held, who claimed it, and its outcome. */
function callDetails(slot) {
  const details = el("div", "slot__details");
  const line = contactLine(slot.contact);
  details.append(el("p", "slot__contact", line || t("No contact details yet")));
  const actions = el("div", "slot__actions");
  if (slot.held_until) {
    actions.append(el("span", "slot__tag", t("Held until the student gives their contact")));
    details.append(actions);
    return details;
  }
  if (slot.claimed_by) {
    actions.append(el("span", "slot__tag", slot.claimed_by === me ? t("Your call") : t("Claimed by %(name)s", { name: slot.claimed_by })));
  }
  if (!slot.claimed_by) {
    const claim = el("button", "button button--small button--quiet slot__claim", t("Claim"));
    claim.type = "button";
    claim.addEventListener("click", () => callAction(slot, "/claim", null, claim));
    actions.append(claim);
  }
  if (slot.outcome) actions.append(el("span", "slot__tag slot__tag--" + slot.outcome, OUTCOMES[slot.outcome] || slot.outcome));
  if (slot.past) {
    Object.keys(OUTCOMES).filter((outcome) => outcome !== slot.outcome).forEach((outcome) => {
      const mark = el("button", "button button--small button--quiet slot__outcome", OUTCOMES[outcome]);
      mark.type = "button";
      mark.dataset.outcome = outcome;
      mark.addEventListener("click", () => callAction(slot, "/outcome", { outcome }, mark));
      actions.append(mark);
    });
  }
  details.append(actions);
  return details;
}

function callAction(slot, path, body, button) {
  button.disabled = true;
  const options = { method: "POST" };
  if (body) options.body = JSON.stringify(body);
  api("/bookings/" + encodeURIComponent(slot.id) + path, options).then((res) => {
    if (!ok(res) && res.status !== 401) notice.show(errorOf(res.body).message);
    refreshBookings();
  });
}

function cancelSelected() {
  const ids = [...selected];
  if (!ids.length) return;
  const question = tn("Cancel %(n)s advisor call?\nEach student will be told in their chat.", "Cancel %(n)s advisor calls?\nEach student will be told in their chat.", ids.length, { n: ids.length });
  if (!window.confirm(question)) return;
  ui.cancelSelected.disabled = true;
  api("/bookings/cancel", { method: "POST", body: JSON.stringify({ slot_ids: ids }) }).then((res) => {
    if (ok(res)) {
      selected.clear();
      announce(tn("%(n)s call cancelled.", "%(n)s calls cancelled.", ids.length, { n: ids.length }));
    } else if (res.status !== 401) notice.show(t("Could not cancel the calls: %(error)s", { error: errorOf(res.body).message }));
    refreshBookings();
  });
}

/** Reload the slots; a change while loading loads them once more after. */
export function refreshBookings() {
  if (loading) {
    again = true;
    return;
  }
  loading = api("/bookings" + (ui.mine.checked ? "?mine=true" : "")).then((res) => {
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
