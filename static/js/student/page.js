/* The student page's parts and state, shared by its modules. */
import { announcer, byId, noticeBar } from "../shared/dom.js";
import { ROLE, STATUS } from "../shared/protocol.js";
import { renderMessage } from "../shared/message.js";
import { Thread } from "../shared/thread.js";
import { t } from "../shared/i18n.js";
import { fetchJSON } from "../shared/connection.js";
import { findChat } from "./store.js";

export const maxLength = parseInt(document.body.dataset.maxMessageLength, 10) || 2000;
export const assistantLabel = document.body.dataset.assistantLabel || t("Assistant");

export const ui = {
  subtitle: byId("chat-subtitle"),
  advisorOnline: byId("advisor-online"),
  banner: byId("handoff-banner"),
  bannerText: byId("handoff-text"),
  bannerDetail: byId("handoff-detail"),
  bookingStrip: byId("booking-strip"),
  bookingStripText: byId("booking-strip-text"),
  welcome: byId("welcome"),
  loading: byId("loading"),
  form: byId("composer"),
  input: byId("composer-input"),
  feedback: byId("composer-feedback"),
  counter: byId("char-counter"),
};

export const notice = noticeBar(() => ui.input.focus());
export const announce = announcer(byId("announcer"));

export const thread = new Thread({
  list: byId("message-list"),
  scroller: byId("messages"),
  pill: byId("new-messages"),
  typing: byId("typing"),
  typingText: byId("typing-text"),
}, {
  render: (msg) => renderMessage(msg, { perspective: "student" }),
  streamAuthor: () => assistantLabel,
  typingText: { advisor: t("Advisor is typing…"), assistant: t("Assistant is typing…") },
  typingRoles: { [ROLE.AI]: "assistant", [ROLE.OPERATOR]: "advisor" },
  isOwn: (msg) => msg.role === ROLE.STUDENT,
  smooth: true,
  onPill: () => ui.input.focus(),
  loadOlder,
});

/** Scrolling back: the page before beforeId, or null (and a notice) when it did not come. */
function loadOlder(beforeId) {
  const record = findChat(view.chatId);
  if (!record) return Promise.resolve(null);
  const url = "/chats/" + encodeURIComponent(record.chat_id) + "/messages?before_id=" + beforeId;
  return fetchJSON(url, { headers: { "X-Chat-Token": record.token } }).then((res) => {
    if (res.status === 200 && res.body && res.body.ok) return res.body;
    notice.show(t("Earlier messages could not be loaded. Scroll up to try again."));
    return null;
  });
}

/**
 * The chat on screen. `generation` changes with every switch, so an answer that arrives for the
 * chat shown before is dropped. `joined`: chats this connection has joined.
 */
export const view = {
  chatId: null,
  generation: 0,
  status: STATUS.AI,
  advisorName: "",
  advisorsOnline: 0,
  loaded: false,
  joined: new Set(),
  socket: null,
};

export function isJoined() {
  return Boolean(view.socket && view.socket.connected && view.chatId && view.joined.has(view.chatId));
}

export function isCurrent(data) {
  return Boolean(data) && data.chat_id === view.chatId;
}

export function showFeedback(text) {
  ui.feedback.textContent = text;
  ui.input.setAttribute("aria-invalid", "true");
}

export function clearFeedback() {
  ui.feedback.textContent = "";
  ui.input.removeAttribute("aria-invalid");
}
