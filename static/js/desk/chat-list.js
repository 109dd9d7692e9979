/* The chat list: every chat the desk knows, waiting ones first, with filters and paging. */
import { byId, el, formatTime, numberFormat, parseDate, relativeTime } from "../shared/dom.js";
import { ROLE, STATUS, errorOf, statusOf } from "../shared/protocol.js";
import { api, chatName, me, notice, ok, stars, state, view, viewerNames } from "./page.js";
import { lang, t, tn } from "../shared/i18n.js";

const PAGE_SIZE = 50;
const LANGUAGE_NAME = { en: t("English"), es: t("Spanish") };

/** The chat's language as a small "ES" tag (null while it is not known yet). */
export function languageBadge(language, className) {
  if (!language) return null;
  const badge = el("span", "lang-badge" + (className ? " " + className : ""), language.toUpperCase());
  badge.lang = language;
  const name = LANGUAGE_NAME[language] || language;
  badge.title = t("Chat language: %(language)s", { language: name });
  badge.setAttribute("aria-label", badge.title);
  return badge;
}

export const STATUS_TEXT = {
  [STATUS.AI]: t("AI answering"), [STATUS.WAITING_HUMAN]: t("Waiting for a human"), [STATUS.HUMAN]: t("Human active"), [STATUS.CLOSED]: t("Closed"),
};
const PREVIEW_PREFIX = { [ROLE.AI]: t("AI: "), [ROLE.OPERATOR]: t("Advisor: ") };
const FILTER_EMPTY = {
  all: t("No chats yet. New student chats appear here as they start."),
  [STATUS.WAITING_HUMAN]: t("Nobody is waiting for a human right now."),
  [STATUS.HUMAN]: t("No chats are with an advisor right now."),
  [STATUS.AI]: t("No chats are with the assistant right now."),
};
const baseTitle = document.title;

const ui = {
  list: byId("chat-list"),
  empty: byId("chat-list-empty"),
  loadMore: byId("load-more"),
  total: byId("chat-total"),
  filters: document.querySelectorAll("[data-filter]"),
  tabWaiting: byId("tab-waiting-count"),
  filterWaiting: byId("filter-waiting-count"),
};
const rows = new Map(); // chat id -> <li>
const fetching = new Set();

const isWaiting = (chat) => chat.status === STATUS.WAITING_HUMAN;

function lastActivity(chat) {
  const date = parseDate(chat.last_message_at || chat.created_at);
  return date ? date.getTime() : 0;
}

function compareChats(a, b) {
  if (isWaiting(a) !== isWaiting(b)) return isWaiting(a) ? -1 : 1;
  return lastActivity(b) - lastActivity(a) || (a.id < b.id ? -1 : 1);
}

/** The advisor holding the chat, when an advisor does. */
export function holderOf(chat) {
  return statusOf(chat) === STATUS.HUMAN && chat.taken_by ? chat.taken_by : null;
}

/** Merge a ChatSummary from the server into the store. */
export function upsertChat(summary, options) {
  if (!summary || !summary.id) return null;
  const old = state.chats.get(summary.id);
  const chat = Object.assign({}, old, summary);
  chat.status = statusOf(summary, old ? old.status : STATUS.AI);
  // A page fetched over REST can be older than what live events already told us.
  if (old && old.last_message && (!summary.last_message || summary.last_message.id < old.last_message.id)) {
    chat.last_message = old.last_message;
    chat.last_message_at = old.last_message_at;
  }
  if (summary.id === view.chatId) chat.unread = 0;
  else if (old && options && options.keepUnread) chat.unread = old.unread;
  state.chats.set(chat.id, chat);
  return chat;
}

/** A live change to a chat we know; null when we do not know it. */
export function updateChat(chatId, fields) {
  const chat = state.chats.get(chatId);
  if (!chat) return null;
  Object.assign(chat, fields);
  state.edits.set(chatId, (state.edits.get(chatId) || 0) + 1);
  return chat;
}

/** A chat we have not loaded (an older page) became active: fetch its row. onLoaded runs after. */
export function fetchChat(chatId, unread, onLoaded) {
  if (fetching.has(chatId)) return;
  fetching.add(chatId);
  api("/chats/" + encodeURIComponent(chatId)).then((res) => {
    fetching.delete(chatId);
    if (!ok(res)) return;
    const known = state.chats.has(chatId);
    const chat = upsertChat(res.body.chat, { keepUnread: known });
    if (!known && chatId !== view.chatId) chat.unread = unread || 0;
    renderChatList();
    if (onLoaded) onLoaded(chatId);
  });
}

export function renderChatList() {
  const visible = Array.from(state.chats.values())
    .filter((chat) => state.filter === "all" || chat.status === state.filter)
    .sort(compareChats);
  const keep = new Set(visible.map((chat) => chat.id));
  rows.forEach((row, id) => {
    if (!keep.has(id)) {
      row.remove();
      rows.delete(id);
    }
  });
  const focused = document.activeElement;
  let cursor = ui.list.firstElementChild;
  visible.forEach((chat) => {
    let row = rows.get(chat.id);
    if (!row) {
      row = createRow(chat.id);
      rows.set(chat.id, row);
    }
    fillRow(row, chat);
    if (row === cursor) cursor = cursor.nextElementSibling;
    else ui.list.insertBefore(row, cursor);
  });
  if (focused && focused !== document.activeElement && ui.list.contains(focused)) focused.focus();
  ui.empty.textContent = FILTER_EMPTY[state.filter];
  ui.empty.hidden = visible.length > 0 || !state.pages.all;
  renderCounts();
  renderLoadMore();
}

export function refreshRow(chatId) {
  const row = rows.get(chatId);
  const chat = state.chats.get(chatId);
  if (row && chat) fillRow(row, chat);
}

/** The row's button, for focus after the phone's chat screen closes. */
export function rowButton(chatId) {
  const row = rows.get(chatId);
  return row ? row.firstElementChild : null;
}

function createRow(chatId) {
  const row = el("li", "desk-list__item");
  row.dataset.chatId = chatId;
  const button = el("button", "chat-row");
  button.type = "button";
  button.dataset.openChat = chatId;
  row.append(button);
  row.classList.add("is-new");
  window.setTimeout(() => row.classList.remove("is-new"), 1200);
  return row;
}

function fillRow(row, chat) {
  const button = row.firstElementChild;
  row.dataset.status = chat.status;
  if (chat.id === view.chatId) button.setAttribute("aria-current", "true");
  else button.removeAttribute("aria-current");

  const top = el("span", "chat-row__top");
  const at = chat.last_message_at || chat.created_at;
  const time = el("time", "chat-row__time", relativeTime(at));
  time.dateTime = at || "";
  time.title = formatTime(at);
  top.append(el("span", "chat-row__name", chatName(chat.id)), time);

  const line = el("span", "chat-row__state");
  line.append(statusBadge(chat.status));
  const language = languageBadge(chat.language);
  if (language) line.append(language);
  if (chat.escalation_reason && (chat.status === STATUS.WAITING_HUMAN || chat.status === STATUS.HUMAN)) {
    line.append(el("span", "chat-row__reason", chat.escalation_reason));
  }
  if (chat.unread > 0) {
    const badge = el("span", "unread-badge", chat.unread > 99 ? "99+" : numberFormat.format(chat.unread));
    badge.setAttribute("aria-label", tn("%(n)s unread message", "%(n)s unread messages", chat.unread));
    badge.title = badge.getAttribute("aria-label");
    line.append(badge);
  }
  const parts = [top, line, preview(chat)];
  const names = viewerNames(chat.viewers, false);
  const holder = holderOf(chat);
  if (names.length || chat.booking || holder || chat.rating) {
    const extras = el("span", "chat-row__extras");
    if (holder) extras.append(el("span", "chat-row__holder", holder === me ? t("Handled by you") : t("Handled by %(name)s", { name: holder })));
    if (names.length) extras.append(el("span", "chat-row__viewers", t("Viewing: %(names)s", { names: names.join(", ") })));
    if (chat.booking) extras.append(el("span", "chat-row__booking", t("Call %(when)s", { when: bookingShort(chat.booking) })));
    if (chat.rating) extras.append(stars(chat.rating, "chat-row__rating"));
    parts.push(extras);
  }
  button.replaceChildren(...parts);
}

function preview(chat) {
  const node = el("span", "chat-row__preview");
  const last = chat.last_message;
  if (state.typing.has(chat.id)) {
    node.classList.add("chat-row__preview--typing");
    node.textContent = t("Student is typing…");
  } else if (last) {
    const prefix = PREVIEW_PREFIX[last.role] || "";
    if (prefix) node.append(el("span", "chat-row__who", prefix));
    node.append(document.createTextNode(last.message));
  } else {
    node.classList.add("chat-row__preview--empty");
    node.textContent = t("No messages yet");
  }
  return node;
}

export function bookingShort(booking) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(booking.date || "");
  const day = m ? new Date(+m[1], +m[2] - 1, +m[3]).toLocaleDateString(lang, { weekday: "short", day: "numeric", month: "short" })
    : booking.date;
  return day + ", " + booking.time;
}

export function statusBadge(status) {
  const badge = el("span", "status-badge", STATUS_TEXT[status] || status);
  badge.dataset.status = status;
  return badge;
}

function renderCounts() {
  const waiting = Array.from(state.chats.values()).filter(isWaiting).length;
  [ui.tabWaiting, ui.filterWaiting].forEach((badge) => {
    badge.textContent = numberFormat.format(waiting);
    badge.hidden = waiting === 0;
    badge.setAttribute("aria-label", t("%(n)s waiting", { n: waiting }));
  });
  const total = state.pages.all ? state.pages.all.total : 0;
  ui.total.textContent = tn("%(n)s chat", "%(n)s chats", total, { n: numberFormat.format(total) });
  document.title = (waiting ? "(" + waiting + ") " : "") + baseTitle;
}

function renderLoadMore() {
  const page = state.pages[state.filter];
  const left = page ? page.total - page.offset : 0;
  ui.loadMore.hidden = !page || left <= 0;
  ui.loadMore.textContent = t("Load more (%(n)s older)", { n: numberFormat.format(Math.max(left, 0)) });
}

export function loadPage(filter, offset) {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(offset) });
  if (filter !== "all") params.set("status", filter);
  ui.loadMore.setAttribute("aria-busy", "true");
  return api("/chats?" + params.toString()).then((res) => {
    ui.loadMore.removeAttribute("aria-busy");
    if (!ok(res)) {
      if (res.status !== 401) notice.show(errorOf(res.body).message);
      return;
    }
    res.body.chats.forEach((chat) => upsertChat(chat, { keepUnread: true }));
    state.pages[filter] = { offset: offset + res.body.chats.length, total: res.body.total };
    renderChatList();
  });
}

/** The admin_connect ack's first page replaces what the desk knew. */
export function applyChats(chats, total) {
  state.chats.clear();
  state.pages = { all: { offset: chats.length, total } };
  chats.forEach((chat) => upsertChat(chat));
  renderChatList();
  if (state.filter !== "all") loadPage(state.filter, 0);
}

/** chat_created: one more chat on the first page. */
export function addNewChat(chat) {
  if (!state.chats.has(chat.id) && state.pages.all) {
    state.pages.all.total += 1;
    state.pages.all.offset += 1;
  }
  upsertChat(chat);
  renderChatList();
}

function setFilter(filter) {
  state.filter = filter;
  ui.filters.forEach((button) => button.setAttribute("aria-pressed", String(button.dataset.filter === filter)));
  renderChatList();
  if (!state.pages[filter] && state.socket && state.socket.connected) loadPage(filter, 0);
}

export function tickTimes(now) {
  ui.list.querySelectorAll(".chat-row__time").forEach((time) => {
    time.textContent = relativeTime(time.dateTime, now);
  });
}

ui.filters.forEach((button) => button.addEventListener("click", () => setFilter(button.dataset.filter)));
ui.loadMore.addEventListener("click", () => {
  const page = state.pages[state.filter];
  if (page) loadPage(state.filter, page.offset);
});
// Up and down arrows move between chats in the list.
ui.list.addEventListener("keydown", (event) => {
  if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
  const buttons = Array.from(ui.list.querySelectorAll(".chat-row"));
  const index = buttons.indexOf(document.activeElement);
  const next = index < 0 ? null : buttons[index + (event.key === "ArrowDown" ? 1 : -1)];
  if (next) {
    event.preventDefault();
    next.focus();
  }
});
