/* The open chat: its header, the conversation (shared thread), who is typing, and the URL's #chat=. */
import { byId, el } from "../shared/dom.js";
import { renderMessage } from "../shared/message.js";
import { Thread } from "../shared/thread.js";
import { ERROR, EVENTS, ROLE, errorOf } from "../shared/protocol.js";
import { announce, api, chatName, me, notice, ok, phoneLayout, state, view, viewerNames, stars, desk } from "./page.js";
import { STATUS_TEXT, bookingShort, holderOf, languageBadge, refreshRow, renderChatList, rowButton, updateChat, upsertChat } from "./chat-list.js";
import { renderBrief, unfoldBrief } from "./brief.js";
import { renderContact } from "./contact.js";
import { renderTakeover } from "./takeover.js";
import { dismissAlert } from "./alerts.js";
import { activeModelLabel } from "./model-switch.js";
import { saveAnswerAction } from "./knowledge.js";
import { resetComposer, stopTyping } from "./composer.js";
import { t } from "../shared/i18n.js";

const RETRY_MS = 3000;
const TYPING_SHOWN_MS = 6000; // a student's "typing" not renewed within this is stale
const ASSISTANT_TYPING_MS = 60000; // safety net: the reply, or else a "false", always ends it
// What live events change on a chat; an open chat's ack written before one of them keeps the live value.
const LIVE_FIELDS = ["status", "taken_by", "escalation_reason", "brief", "rating", "rating_comment", "language"];

const ui = {
  placeholder: byId("chat-placeholder"),
  detail: byId("chat-detail"),
  title: byId("chat-title"),
  status: byId("chat-status"),
  reason: byId("chat-reason"),
  booking: byId("chat-booking"),
  viewers: byId("chat-viewers"),
  holder: byId("chat-holder"),
  rating: byId("chat-rating"),
  language: byId("chat-language"),
  loading: byId("chat-loading"),
  back: byId("back-to-list"),
};

export const thread = new Thread({
  list: byId("message-list"),
  scroller: byId("chat-scroller"),
  pill: byId("new-messages"),
  typing: byId("chat-typing"),
  typingText: byId("chat-typing-text"),
}, {
  render: renderMessageNode,
  streamAuthor: activeModelLabel,
  typingText: { student: t("Student is typing…"), assistant: t("Assistant is writing…") },
  typingRoles: { [ROLE.AI]: "assistant", [ROLE.STUDENT]: "student" },
  isOwn: () => false, // any new message while scrolled up gets the "new messages" pill
  smooth: false,
  loadOlder,
});

/** Scrolling back: the page before beforeId, or null (and a notice) when it did not come. */
function loadOlder(beforeId) {
  const chatId = view.chatId;
  return api("/chats/" + encodeURIComponent(chatId) + "?before_id=" + beforeId).then((res) => {
    if (ok(res)) return res.body;
    if (res.status !== 401) notice.show(t("Earlier messages could not be loaded. Scroll up to try again."));
    return null;
  });
}

function renderMessageNode(msg) {
  const node = renderMessage(msg, { perspective: "desk" });
  if (msg.role === ROLE.OPERATOR && msg.id !== undefined && msg.id !== null) {
    node.querySelector(".msg__meta").append(saveAnswerAction(msg.id));
  }
  return node;
}

export function openChat(chatId, options) {
  if (!chatId) return;
  if (view.chatId === chatId) {
    showChatScreen(true);
    return;
  }
  if (view.chatId) leaveChat({ keepScreen: true });
  Object.assign(view, { chatId, generation: view.generation + 1, briefShown: null, loading: true });
  thread.reset();
  if (state.typing.has(chatId)) thread.setTyping("student", true);
  resetComposer();
  unfoldBrief(!phoneLayout.matches);
  ui.loading.hidden = false;
  ui.detail.hidden = false;
  ui.placeholder.hidden = true;
  updateChat(chatId, { unread: 0 });
  renderHeader();
  renderChatList();
  dismissAlert(chatId);
  showChatScreen(true);
  if (!options || options.history !== false) setHistory(chatId);
  joinOpenChat();
}

/** admin_connect with the chat: presence, and its messages. Again after every reconnect. */
export function joinOpenChat() {
  const socket = state.socket;
  if (!socket || !socket.connected || !view.chatId) return;
  const { chatId, generation } = view;
  const edits = state.edits.get(chatId) || 0;
  socket.request(EVENTS.ADMIN_CONNECT, { chat_id: chatId }, (err, ack) => {
    if (generation !== view.generation) return;
    if (err) {
      ui.loading.textContent = t("The server did not answer. Retrying…");
      if (socket.connected) window.setTimeout(() => { if (generation === view.generation) joinOpenChat(); }, RETRY_MS);
      return;
    }
    if (!ack || !ack.ok) {
      // the `error` event already showed why
      if (errorOf(ack).code === ERROR.CHAT_NOT_FOUND) {
        state.chats.delete(chatId);
        closeChat();
        renderChatList();
      }
      return;
    }
    const live = state.chats.get(chatId);
    // Handlers run concurrently on the server: a takeover sent after this may have been answered first.
    if (live && ack.chat && (state.edits.get(chatId) || 0) !== edits) {
      LIVE_FIELDS.forEach((field) => { if (field in live) ack.chat[field] = live[field]; });
    }
    upsertChat(ack.chat);
    view.loading = false;
    ui.loading.hidden = true;
    ui.loading.textContent = t("Loading the conversation…");
    (ack.messages || []).slice().sort((a, b) => a.id - b.id).forEach((msg) => thread.add(msg));
    thread.setHasMore(ack.has_more);
    renderHeader();
    renderChatList();
    thread.scrollToBottom(false);
  });
}

function leaveChat(options) {
  const chatId = view.chatId;
  if (!chatId) return;
  stopTyping();
  if (state.socket && state.socket.connected) state.socket.emit(EVENTS.ADMIN_DISCONNECT_FROM_CHAT, { chat_id: chatId });
  view.chatId = null;
  view.generation += 1;
  if (!(options && options.keepScreen)) {
    ui.detail.hidden = true;
    ui.placeholder.hidden = false;
    showChatScreen(false);
  }
  renderChatList();
}

export function closeChat() {
  const chatId = view.chatId;
  leaveChat();
  setHistory(null);
  const button = chatId && rowButton(chatId);
  if (button && phoneLayout.matches) button.focus();
}

function showChatScreen(open) {
  desk.dataset.chatOpen = String(open);
  if (open && phoneLayout.matches) ui.title.focus({ preventScroll: true });
}

function setHistory(chatId) {
  const url = location.pathname + location.search + (chatId ? "#chat=" + chatId : "");
  if (chatId && !view.pushedHistory) {
    history.pushState({ chat: chatId }, "", url);
    view.pushedHistory = true;
  } else {
    history.replaceState(chatId ? { chat: chatId } : null, "", url);
    if (!chatId) view.pushedHistory = false;
  }
}

export function chatFromHash() {
  const m = /^#chat=([0-9a-zA-Z_-]{1,32})$/.exec(location.hash);
  return m ? m[1] : null;
}

export function renderHeader() {
  const chat = state.chats.get(view.chatId);
  ui.title.textContent = chatName(view.chatId || "");
  renderTakeover(chat || null);
  renderBrief(chat || null);
  renderContact(chat || null);
  ui.status.hidden = !chat;
  if (!chat) {
    ui.language.hidden = true;
    ui.rating.hidden = true;
    return;
  }
  ui.status.dataset.status = chat.status;
  ui.status.textContent = STATUS_TEXT[chat.status] || chat.status;
  const language = languageBadge(chat.language);
  ui.language.hidden = !language;
  ui.language.replaceChildren(...(language ? [language] : []));
  // The brief repeats the reason, and room at the top of the chat is precious.
  ui.reason.hidden = !chat.escalation_reason || Boolean(chat.brief);
  ui.reason.replaceChildren(el("span", "fact__label", t("Escalated: ")), document.createTextNode(chat.escalation_reason || ""));
  ui.booking.hidden = !chat.booking;
  if (chat.booking) ui.booking.replaceChildren(el("span", "fact__label", t("Call: ")), document.createTextNode(bookingShort(chat.booking)));
  const others = viewerNames(chat.viewers, true);
  ui.viewers.hidden = others.length === 0;
  ui.viewers.textContent = t("Also viewing: %(names)s", { names: others.join(", ") });
  const holder = holderOf(chat);
  ui.holder.hidden = !holder;
  ui.holder.textContent = holder === me ? t("You're handling this chat") : t("Handled by %(name)s", { name: holder });
  const closed = chat.status === "closed";
  ui.rating.hidden = !(chat.rating || closed);
  if (chat.rating) {
    const parts = [el("span", "fact__label", t("Rating: ")), stars(chat.rating, "stars--fact")];
    if (chat.rating_comment) parts.push(el("q", "fact__comment", chat.rating_comment));
    ui.rating.replaceChildren(...parts);
  } else {
    ui.rating.textContent = t("Not rated yet");
  }
}

/** A message for the open chat (live or an ack); the student's are read out. */
export function addMessage(msg) {
  if (msg.chat_id !== view.chatId) return;
  if (thread.add(msg) && msg.role === ROLE.STUDENT) announce(t("Student: %(text)s", { text: msg.message }));
}

/** A student's "typing" shows on their row and, when open, in the chat; it lapses unless renewed. */
export function setStudentTyping(chatId, on) {
  window.clearTimeout(state.typing.get(chatId));
  const was = state.typing.has(chatId);
  if (on) state.typing.set(chatId, window.setTimeout(() => setStudentTyping(chatId, false), TYPING_SHOWN_MS));
  else state.typing.delete(chatId);
  if (was !== on) refreshRow(chatId);
  if (chatId === view.chatId) thread.setTyping("student", on);
}

export function setAssistantTyping(on) {
  thread.setTyping("assistant", on, ASSISTANT_TYPING_MS);
}

/** The question an advisor's message answered: the student's message just before it. */
export function questionBefore(messageId) {
  let best = null;
  thread.messages.forEach((msg) => {
    if (msg.role === ROLE.STUDENT && msg.id < messageId && (!best || msg.id > best.id)) best = msg;
  });
  return best ? best.message : "";
}

/** A chat we did not know was loaded: show it if it is the open one. */
export function chatLoaded(chatId) {
  if (chatId === view.chatId) renderHeader();
}


ui.back.addEventListener("click", () => {
  if (view.pushedHistory && history.state && history.state.chat === view.chatId) history.back();
  else closeChat();
});
window.addEventListener("popstate", () => {
  const chatId = chatFromHash();
  view.pushedHistory = false;
  if (chatId) openChat(chatId, { history: false });
  else if (view.chatId) closeChat();
});
ui.title.tabIndex = -1;
