/* Student chat page: one Socket.IO connection; this browser's chats live in localStorage.
   The chat on screen comes from the student_connect ack; live events keep it current. */
import { connect, connectionStatus } from "../shared/connection.js";
import { bindComposer, typingSignal } from "../shared/composer.js";
import { ERROR, EVENTS, LEGACY_EVENTS, ROLE, STATUS, errorOf, statusOf } from "../shared/protocol.js";
import { announce, clearFeedback, isCurrent, isJoined, maxLength, notice, thread, ui, view } from "./page.js";
import { currentChat, findChat, forgetChat, preview, saveChat, setCurrentChat } from "./store.js";
import { advisorChanged, clearQueue, hideBanner, setAdvisorsOnline, setStatus, setTyping, showQueue } from "./status.js";
import { bookingLabel, resetBookings, setBooking, showBookingCard } from "./bookings.js";
import { dropRatingForm, resetRating, showRatingCard } from "./rating.js";
import { askForContact, contactSaved, resetContact } from "./contact.js";
import { clearOutbox, failAll, flushOutbox, onNeedChat, outbox, refreshWaiting, requeue, settled, submitText } from "./outbox.js";
import { bindDrawer } from "./drawer.js";
import { lang, t } from "../shared/i18n.js";

const ACK_TIMEOUT_MS = 30000;
const RETRY_JOIN_MS = 5000;
const PAGE_SIZE = 500; // the server's page: a first load brings at most this many
const GONE_CODES = [ERROR.CHAT_NOT_FOUND, ERROR.FORBIDDEN];
const QUIET_EVENTS = [EVENTS.STUDENT_TYPING]; // best effort: a refusal is not worth a notice

const socket = connect({ ackTimeoutMs: ACK_TIMEOUT_MS });
const connection = connectionStatus();
view.socket = socket;
let creating = null; // {gen} while a new chat is being created for view generation gen

const studentTyping = typingSignal((chatId, typing) => {
  if (!socket || !socket.connected || !view.joined.has(chatId)) return false;
  socket.emit(EVENTS.STUDENT_TYPING, { chat_id: chatId, typing });
  return true;
}, () => (isJoined() ? view.chatId : null));

/* ---------- the chat on screen ---------- */

/** Forget what is on screen and show chatId (or the welcome card when null). */
function resetView(chatId) {
  studentTyping(false);
  Object.assign(view, { chatId, generation: view.generation + 1, advisorsOnline: 0, loaded: false });
  clearOutbox();
  setCurrentChat(chatId);
  thread.reset();
  resetBookings();
  resetRating();
  resetContact(null);
  hideBanner();
  setStatus(STATUS.AI);
  clearFeedback();
  ui.welcome.hidden = Boolean(chatId);
  ui.loading.hidden = !chatId;
}

/** Apply the chat snapshot of a student_connect ack. */
function applyChat(chat, messages) {
  if (!chat || chat.id !== view.chatId) return;
  const firstLoad = !view.loaded;
  view.loaded = true;
  ui.loading.hidden = true;
  ui.welcome.hidden = true;
  setStatus(statusOf(chat));
  if (view.status === STATUS.WAITING_HUMAN) showQueue(chat.queue);
  else clearQueue();
  setAdvisorsOnline(chat.advisors_online);
  setBooking(chat.booking || null);
  contactSaved(chat.contact);
  if (chat.booking && chat.booking.held_until && !chat.contact) askForContact("held", bookingLabel(chat.booking));
  receive(Array.isArray(messages) ? messages : [], !firstLoad);
  // A first load brings the latest page: a full one may have older messages before it.
  if (firstLoad) thread.setHasMore(Array.isArray(messages) && messages.length >= PAGE_SIZE);
  if (view.status === STATUS.CLOSED && (chat.rating === null || chat.rating === undefined)) showRatingCard();
  else if (view.status !== STATUS.CLOSED) dropRatingForm();
  if (firstLoad) thread.scrollToBottom(false);
}

/** Add server messages in id order, skipping any already shown. */
function receive(messages, announceThem) {
  messages
    .filter((m) => m && typeof m === "object" && (!m.chat_id || m.chat_id === view.chatId))
    .sort((a, b) => Number(a.id) - Number(b.id))
    .forEach((msg) => {
      if (msg.client_id) settled(msg.client_id);
      if (!thread.add(msg)) return;
      ui.welcome.hidden = true;
      if (announceThem && msg.role !== ROLE.STUDENT) announce(describe(msg));
    });
}

function describe(msg) {
  if (msg.role === ROLE.AI) return t("%(who)s says: %(text)s", { who: msg.model_label ? t(msg.model_label) : t("Assistant"), text: msg.message });
  if (msg.role === ROLE.OPERATOR) return t("%(who)s says: %(text)s", { who: msg.author_name ? t(msg.author_name) : t("Advisor"), text: msg.message });
  return msg.message;
}

/* ---------- joining and creating chats ---------- */

function joinChat() {
  const chatId = view.chatId;
  const record = findChat(chatId);
  if (!record) {
    resetView(null);
    return;
  }
  const payload = { chat_id: chatId, token: record.token, language: lang };
  if (thread.maxId) payload.last_message_id = thread.maxId;
  const gen = view.generation;
  const retryLater = () => window.setTimeout(() => {
    if (gen === view.generation && socket.connected && !view.joined.has(chatId)) joinChat();
  }, RETRY_JOIN_MS);
  socket.request(EVENTS.STUDENT_CONNECT, payload, (err, ack) => {
    if (gen !== view.generation) return;
    if (err) {
      if (socket.connected) retryLater(); // otherwise "connect" joins again
      return;
    }
    if (ack && ack.ok) {
      joined(ack.chat, ack.messages);
      return;
    }
    const error = errorOf(ack);
    if (GONE_CODES.includes(error.code)) {
      forgetChat(chatId);
      resetView(null);
      notice.show(t("That conversation is no longer available. You can start a new one below."));
      return;
    }
    notice.show(error.message);
    retryLater();
  });
}

function joined(chat, messages) {
  view.joined.add(chat.id);
  applyChat(chat, messages);
  flushOutbox();
}

function createChat() {
  if (creating || !socket || !socket.connected) return;
  const attempt = { gen: view.generation };
  creating = attempt;
  socket.request(EVENTS.STUDENT_CONNECT, { language: lang }, (err, ack) => {
    if (creating !== attempt) return; // a reconnect started over
    creating = null;
    if (attempt.gen !== view.generation) {
      // The student moved on ("New chat") meanwhile; serve the view now on screen.
      if (!view.chatId && outbox.size) createChat();
      return;
    }
    if (err || !(ack && ack.ok && ack.chat)) {
      failAll(err ? t("The server did not answer. Please try again.") : errorOf(ack).message);
      return;
    }
    adoptChat(ack.chat.id, ack.token, ack.chat.created_at);
    joined(ack.chat, ack.messages);
  });
}
onNeedChat(createChat);

/** Remember a just-created chat and make it the one on screen. */
function adoptChat(chatId, token, startedAt) {
  if (!view.chatId) {
    view.chatId = chatId;
    setCurrentChat(chatId);
  }
  if (view.chatId !== chatId || typeof token !== "string") return;
  const first = outbox.values().next().value;
  const fields = { token };
  if (!findChat(chatId)) {
    fields.started_at = startedAt || new Date().toISOString();
    fields.preview = first ? preview(first.text) : "";
  }
  saveChat(chatId, fields);
}

function openChat(chatId) {
  if (chatId === view.chatId) return;
  resetView(chatId);
  if (socket && socket.connected) joinChat();
}

function startNewChat() {
  if (view.chatId || outbox.size) resetView(null);
  ui.input.focus();
}

/* ---------- the connection ---------- */

function setConnection(state) {
  connection.set(state);
  refreshWaiting();
}

function bindSocket() {
  socket.on("connect", () => {
    view.joined.clear();
    creating = null;
    setConnection("connected");
    if (view.chatId) joinChat();
    else if (outbox.size) createChat();
  });
  socket.on("disconnect", () => {
    view.joined.clear();
    creating = null;
    studentTyping(false);
    setTyping("assistant", false);
    setTyping("advisor", false);
    thread.dropStreams();
    requeue();
    setConnection(connection.lost());
  });
  socket.on("connect_error", () => setConnection(connection.lost()));
  socket.io.on("reconnect_attempt", () => setConnection(connection.lost()));
  window.addEventListener("offline", () => { if (!socket.connected) setConnection("offline"); });
  window.addEventListener("online", () => { if (!socket.connected) setConnection("reconnecting"); });

  // An older server also sends these beside the ack; the ack alone is enough.
  socket.on(EVENTS.CHAT_CREATED, (data) => {
    if (data && creating && creating.gen === view.generation && data.chat_id && data.token) {
      adoptChat(data.chat_id, data.token);
    }
  });
  socket.on(LEGACY_EVENTS.STUDENT_CONNECTED, (data) => {
    if (data && data.chat && data.chat.id === view.chatId) joined(data.chat, data.messages);
  });

  socket.on(EVENTS.NEW_MESSAGE, (msg) => { if (isCurrent(msg)) receive([msg], true); });
  socket.on(EVENTS.MESSAGE_DELTA, (data) => {
    if (!isCurrent(data)) return;
    thread.delta(data);
    ui.welcome.hidden = true;
  });
  socket.on(EVENTS.TYPING, (data) => {
    if (isCurrent(data) && (data.who === "assistant" || data.who === "advisor")) setTyping(data.who, Boolean(data.typing));
  });
  socket.on(EVENTS.ESCALATION_TRIGGERED, (data) => {
    if (!isCurrent(data)) return;
    setStatus(statusOf(data, STATUS.WAITING_HUMAN));
    if (view.status === STATUS.WAITING_HUMAN) showQueue(null);
    if (data.ask_contact) askForContact("handoff");
  });
  socket.on(EVENTS.QUEUE_STATUS, (data) => { if (isCurrent(data)) showQueue(data); });
  socket.on(EVENTS.HUMAN_ENABLED_CHANGED, (data) => {
    if (!isCurrent(data)) return;
    setStatus(statusOf(data));
    advisorChanged(view.status === STATUS.HUMAN, data.author_name);
    if (view.status === STATUS.HUMAN) clearQueue();
  });
  socket.on(EVENTS.CHAT_CLOSED, (data) => {
    if (!isCurrent(data)) return;
    setStatus(STATUS.CLOSED);
    clearQueue();
    showRatingCard();
  });
  socket.on(EVENTS.CHAT_REOPENED, (data) => {
    if (!isCurrent(data)) return;
    setStatus(statusOf(data));
    dropRatingForm();
  });
  socket.on(EVENTS.ADMIN_STATUS_CHANGED, (data) => { if (isCurrent(data)) setAdvisorsOnline(data.advisors_online); });
  socket.on(EVENTS.BOOKING_CONFIRMED, (data) => { if (isCurrent(data)) showBookingCard(data.booking, "confirmed"); });
  socket.on(EVENTS.BOOKING_CANCELLED, (data) => { if (isCurrent(data)) showBookingCard(data.booking, "cancelled"); });
  socket.on(EVENTS.BOOKING_HELD, (data) => {
    if (!isCurrent(data)) return;
    setBooking(data.booking);
    askForContact("held", bookingLabel(data.booking));
  });
  socket.on(EVENTS.CONTACT_SAVED, (data) => { if (isCurrent(data)) contactSaved(data.contact); });
  socket.on(EVENTS.ERROR, (data) => {
    if (!data || QUIET_EVENTS.includes(data.event) || socket.awaiting(data.event)) return;
    notice.show(errorOf({ error: data }).message);
  });
}

/* ---------- the composer ---------- */

function submitComposer() {
  studentTyping(false);
  if (submitText(ui.input.value)) {
    ui.input.value = "";
    refreshComposer();
  }
  ui.input.focus();
}

const refreshComposer = bindComposer({
  form: ui.form, input: ui.input, counter: ui.counter, maxLength, onSubmit: submitComposer,
  onInput: (length) => {
    if (ui.feedback.textContent && length > 0 && length <= maxLength) clearFeedback();
    studentTyping(ui.input.value.trim() !== "");
  },
});
ui.input.addEventListener("blur", () => studentTyping(false));

ui.welcome.querySelectorAll("[data-suggestion]").forEach((chip) => {
  chip.addEventListener("click", () => {
    submitText(chip.textContent);
    ui.input.focus();
  });
});

bindDrawer({ openChat, startNewChat });

/* The ES/EN switch is a link the server answers (a cookie, then this page again in that language);
   first the open chat is told, so its notices follow the student's choice too. */
document.querySelectorAll("[data-lang-switch]").forEach((link) => {
  link.addEventListener("click", (event) => {
    if (!isJoined() || link.dataset.langSwitch === lang) return;
    event.preventDefault();
    let gone = false;
    const go = () => {
      if (gone) return;
      gone = true;
      window.location.assign(link.href);
    };
    socket.request(EVENTS.SET_LANGUAGE, { chat_id: view.chatId, language: link.dataset.langSwitch }, go);
    window.setTimeout(go, 3000); // the page changes language even if the server is slow to answer
  });
});

/* ---------- start ---------- */

const stored = currentChat();
resetView(stored && findChat(stored) ? stored : null);
if (socket) {
  bindSocket();
  setConnection("connecting");
} else {
  setConnection("offline");
  notice.show(t("The chat could not load. Please refresh the page."));
}
if (window.matchMedia("(pointer: fine)").matches) ui.input.focus();
