/* Advisors' desk: live state over Socket.IO, REST for paging and the panels. This module routes
   the server's events to the panel that shows them, and wires what spans panels. */
import { connect, connectionStatus } from "../shared/connection.js";
import { ERROR, EVENTS, ROLE, STATUS, statusOf, errorOf } from "../shared/protocol.js";
import { desk, me, notice, sessionEnded, state, view, wideLayout, announce } from "./page.js";
import { addNewChat, applyChats, fetchChat, refreshRow, renderChatList, tickTimes, updateChat } from "./chat-list.js";
import { addMessage, chatFromHash, chatLoaded, joinOpenChat, openChat, renderHeader, setAssistantTyping, setStudentTyping, thread } from "./chat-view.js";
import { applyHandoff } from "./takeover.js";
import { dismissAlert, showEscalationAlert, tickAlertTimes } from "./alerts.js";
import { applyModel } from "./model-switch.js";
import { refreshBookings, renderBookings } from "./bookings.js";
import { applyAvailability } from "./availability.js";
import { applyCanned } from "./canned.js";
import { applyAnswers, gapsChanged, loadGaps, loadKnowledge, renderKnowledge } from "./knowledge.js";
import { t } from "../shared/i18n.js";

const ACK_TIMEOUT_MS = 20000;
const RETRY_MS = 3000;
const TICK_MS = 30000;

const connection = connectionStatus({ connected: t("Live") });
const socket = connect({ ackTimeoutMs: ACK_TIMEOUT_MS });
state.socket = socket;

/** admin_connect without a chat: the whole desk's state, again after every reconnect. */
function loadDesk() {
  socket.request(EVENTS.ADMIN_CONNECT, {}, (err, ack) => {
    if (err) {
      if (socket.connected) window.setTimeout(loadDesk, RETRY_MS);
      return;
    }
    if (!ack || !ack.ok) {
      if (errorOf(ack).code === ERROR.FORBIDDEN) sessionEnded();
      else window.setTimeout(loadDesk, RETRY_MS);
      return;
    }
    if (!state.sessionEnded) notice.hide();
    applyChats(ack.chats, ack.total);
    applyModel(ack.model);
    renderBookings(ack.slots || []);
    applyAvailability(ack.availability);
    applyCanned(ack.canned);
    loadKnowledge();
    if (view.chatId) joinOpenChat();
  });
}

function newMessage(msg) {
  if (!msg || !msg.chat_id) return;
  // The server sends no "stopped typing" after a message: the message says it, even for a chat not listed yet.
  if (msg.role === ROLE.STUDENT) setStudentTyping(msg.chat_id, false);
  const chat = state.chats.get(msg.chat_id);
  if (!chat) {
    fetchChat(msg.chat_id, msg.role === ROLE.STUDENT ? 1 : 0, chatLoaded);
  } else {
    if (!chat.last_message || msg.id >= chat.last_message.id) {
      chat.last_message = msg;
      chat.last_message_at = msg.created_at || chat.last_message_at;
    }
    if (msg.role === ROLE.STUDENT && msg.chat_id !== view.chatId) chat.unread = (chat.unread || 0) + 1;
    renderChatList();
  }
  addMessage(msg);
}

function escalated(data) {
  if (!data || !data.chat_id) return;
  const chat = updateChat(data.chat_id, {
    status: statusOf(data, STATUS.WAITING_HUMAN), escalation_reason: data.reason, escalated_at: new Date().toISOString(),
  });
  if (!chat) fetchChat(data.chat_id, 0, chatLoaded);
  renderChatList();
  if (data.chat_id === view.chatId) renderHeader();
  showEscalationAlert(data.chat_id, data.reason);
  gapsChanged();
}

function bookingChanged(cancelled) {
  return (data) => {
    if (!data || !data.chat_id) return;
    const chat = state.chats.get(data.chat_id);
    if (chat) {
      if (!cancelled) chat.booking = data.booking;
      else if (chat.booking && data.booking && chat.booking.id === data.booking.id) chat.booking = null;
      renderChatList();
      if (data.chat_id === view.chatId) renderHeader();
    }
    refreshBookings();
  };
}

function bindSocket() {
  socket.on("connect", () => {
    connection.set("connected");
    loadDesk();
  });
  socket.on("disconnect", () => {
    connection.set(connection.lost());
    thread.dropStreams();
    setAssistantTyping(false);
  });
  socket.on("connect_error", () => connection.set(connection.lost()));

  socket.on(EVENTS.NEW_MESSAGE, newMessage);
  socket.on(EVENTS.MESSAGE_DELTA, (data) => { if (data && data.chat_id === view.chatId) thread.delta(data); });
  socket.on(EVENTS.TYPING, (data) => {
    if (!data || !data.chat_id) return;
    if (data.who === "student") setStudentTyping(data.chat_id, Boolean(data.typing));
    else if (data.who === "assistant" && data.chat_id === view.chatId) setAssistantTyping(Boolean(data.typing));
  });
  socket.on(EVENTS.BRIEF_READY, (data) => {
    if (!data || !data.chat_id || !data.brief) return;
    if (!updateChat(data.chat_id, { brief: data.brief })) fetchChat(data.chat_id, 0, chatLoaded);
    if (data.chat_id === view.chatId) {
      renderHeader();
      announce(t("The hand-off brief is ready."));
    }
  });
  socket.on(EVENTS.CHAT_LANGUAGE, (data) => {
    if (!data || !data.chat_id) return;
    if (updateChat(data.chat_id, { language: data.language })) refreshRow(data.chat_id);
    if (data.chat_id === view.chatId) renderHeader();
  });
  socket.on(EVENTS.CHAT_RATED, (data) => {
    if (!data || !data.chat_id) return;
    if (updateChat(data.chat_id, { rating: data.rating, rating_comment: data.comment })) refreshRow(data.chat_id);
    if (data.chat_id === view.chatId) renderHeader();
  });
  socket.on(EVENTS.AVAILABILITY_CHANGED, applyAvailability);
  socket.on(EVENTS.CANNED_CHANGED, (data) => { if (data) applyCanned(data.canned); });
  socket.on(EVENTS.KNOWLEDGE_CHANGED, (data) => {
    if (!data) return;
    applyAnswers(data.answers);
    gapsChanged();
  });
  socket.on(EVENTS.CHAT_CREATED, (data) => { if (data && data.chat) addNewChat(data.chat); });
  socket.on(EVENTS.ESCALATION_TRIGGERED, escalated);
  socket.on(EVENTS.HUMAN_ENABLED_CHANGED, (data) => {
    if (!data || !data.chat_id) return;
    applyHandoff(data);
    const by = data.by || data.author_name;
    if (data.chat_id === view.chatId && by && data.by !== me) {
      announce(statusOf(data) === STATUS.HUMAN ? t("%(name)s took over this chat.", { name: by })
        : t("%(name)s handed this chat back to the assistant.", { name: by }));
    }
  });
  [EVENTS.CHAT_CLOSED, EVENTS.CHAT_REOPENED].forEach((event) => socket.on(event, (data) => {
    if (data && data.chat_id) applyHandoff(data);
  }));
  socket.on(EVENTS.ADMIN_STATUS_CHANGED, (data) => {
    if (!data || !data.chat_id || !Array.isArray(data.viewers)) return;
    if (updateChat(data.chat_id, { viewers: data.viewers, advisors_online: data.advisors_online })) renderChatList();
    if (data.chat_id === view.chatId) renderHeader();
  });
  socket.on(EVENTS.BOOKING_CONFIRMED, bookingChanged(false));
  socket.on(EVENTS.BOOKING_CANCELLED, bookingChanged(true));
  socket.on(EVENTS.BOOKING_HELD, bookingChanged(false));
  socket.on(EVENTS.CALL_UPDATED, () => refreshBookings());
  socket.on(EVENTS.CONTACT_SAVED, (data) => {
    if (!data || !data.chat_id) return;
    updateChat(data.chat_id, { contact: data.contact });
    if (data.chat_id === view.chatId) renderHeader();
    refreshBookings();
  });
  socket.on(EVENTS.MODEL_CHANGED, applyModel);
  socket.on(EVENTS.ERROR, (data) => {
    if (!data) return;
    if (data.code === ERROR.FORBIDDEN) sessionEnded();
    else if (data.event === EVENTS.ADMIN_TYPING) return; // best effort: not worth a notice
    else notice.show(errorOf({ error: data }).message);
    // Another advisor holds the chat: show who, and lock the switch and composer.
    if (data.code === ERROR.TAKEN && view.chatId) fetchChat(view.chatId, 0, chatLoaded);
  });
}

/* ---------- side tabs (small screens) ---------- */

const sideTabs = document.querySelectorAll("[data-side-tab]");

function setSide(side) {
  desk.dataset.side = side;
  renderSideTabs();
  if (side === "knowledge" && state.knowledgeView === "gaps") loadGaps();
}

/** Wide screens always show the chat list, so there the tabs pick the right-hand column. */
function renderSideTabs() {
  const side = desk.dataset.side;
  const shown = wideLayout.matches && side === "chats" ? "bookings" : side;
  sideTabs.forEach((tab) => tab.setAttribute("aria-pressed", String(tab.dataset.sideTab === shown)));
}

sideTabs.forEach((tab) => tab.addEventListener("click", () => setSide(tab.dataset.sideTab)));
wideLayout.addEventListener("change", renderSideTabs);

// Chat rows, alerts, booked slots and gaps all open a chat through data-open-chat.
document.addEventListener("click", (event) => {
  const target = event.target.closest("[data-open-chat], [data-close-dialog]");
  if (!target) return;
  if (target.dataset.openChat) {
    openChat(target.dataset.openChat);
    if (target.closest(".toast")) dismissAlert(target.dataset.openChat);
  } else {
    target.closest("dialog").close();
  }
});

/* ---------- start ---------- */

renderSideTabs();
renderKnowledge();
window.setInterval(() => {
  const now = Date.now();
  tickTimes(now);
  tickAlertTimes(now);
}, TICK_MS);
if (socket) {
  bindSocket();
} else {
  connection.set("offline");
  notice.show(t("The live connection could not start. Reload the page to try again."));
}
const initial = chatFromHash();
if (initial) {
  history.replaceState(null, "", location.pathname + location.search);
  openChat(initial);
}
