/* The student's messages on their way: queued while offline, sent once (same client_id on every
   try), retried while the server cannot store them, and marked when they fail. */
import { newClientId } from "../shared/dom.js";
import { renderMessage, showOutgoingState } from "../shared/message.js";
import { messageProblem } from "../shared/composer.js";
import { ERROR, EVENTS, ROLE, errorOf } from "../shared/protocol.js";
import { announce, clearFeedback, isJoined, maxLength, showFeedback, thread, ui, view } from "./page.js";
import { t } from "../shared/i18n.js";

const RETRY_MAX_MS = 15000;

/** client_id -> {clientId, text, node, status: queued|sending|retrying|failed, attempt, error} */
export const outbox = new Map();
let createChat = () => {};

/** Who creates a chat when the first message has none (main.js, which owns the connection). */
export function onNeedChat(create) {
  createChat = create;
}

/** Send what the student typed; false (with the reason shown) when it cannot go. */
export function submitText(raw) {
  const text = String(raw).trim();
  const problem = messageProblem(text, maxLength);
  if (problem) {
    showFeedback(problem);
    return false;
  }
  clearFeedback();
  const entry = { clientId: newClientId(), text, node: null, status: "queued", attempt: 0, error: "" };
  entry.node = renderMessage({ role: ROLE.STUDENT, message: text, client_id: entry.clientId });
  outbox.set(entry.clientId, entry);
  ui.welcome.hidden = true;
  thread.addOutgoing(entry.node, entry.clientId);
  if (view.chatId) flushOutbox();
  else createChat();
  render(entry);
  return true;
}

export function flushOutbox() {
  if (!isJoined()) return;
  outbox.forEach((entry) => { if (entry.status === "queued") send(entry); });
}

/** A message the server has now (ack or new_message): forget it here. */
export function settled(clientId) {
  outbox.delete(clientId);
}

/** The connection dropped: what was on its way goes again on reconnect. */
export function requeue() {
  outbox.forEach((entry) => {
    if (entry.status === "sending") entry.status = "queued";
    if (entry.status === "queued") render(entry);
  });
}

export function failAll(message) {
  outbox.forEach((entry) => fail(entry, message));
}

export function refreshWaiting() {
  outbox.forEach((entry) => { if (entry.status === "queued") render(entry); });
}

export function clearOutbox() {
  outbox.clear();
}

function send(entry) {
  const attempt = ++entry.attempt;
  entry.status = "sending";
  render(entry);
  const payload = { chat_id: view.chatId, message: entry.text, client_id: entry.clientId };
  view.socket.request(EVENTS.STUDENT_MESSAGE, payload, (err, ack) => {
    if (outbox.get(entry.clientId) !== entry || entry.attempt !== attempt) return;
    if (err) {
      // A dropped connection re-queues the message; only a live, silent server is an error.
      if (view.socket.connected) fail(entry, t("The server did not answer. Please try again."));
      return;
    }
    if (ack && ack.ok && ack.message) {
      outbox.delete(entry.clientId);
      thread.add(ack.message);
    } else if (errorOf(ack).code === ERROR.UNAVAILABLE) {
      retrySoon(entry);
    } else {
      fail(entry, errorOf(ack).message);
    }
  });
}

/** The server could not store it (database down): keep it and try again, same client id. */
function retrySoon(entry) {
  entry.status = "retrying";
  entry.retries = (entry.retries || 0) + 1;
  render(entry);
  window.setTimeout(() => {
    if (outbox.get(entry.clientId) !== entry || entry.status !== "retrying") return;
    entry.status = "queued";
    flushOutbox();
  }, Math.min(RETRY_MAX_MS, 1000 * 2 ** Math.min(entry.retries, 4)));
}

function fail(entry, text) {
  entry.status = "failed";
  entry.error = text;
  render(entry);
  announce(t("Message not sent: %(text)s", { text }));
}

function retry(entry) {
  entry.status = "queued";
  render(entry);
  if (view.chatId) flushOutbox();
  else createChat();
  ui.input.focus();
}

const STATUS_TEXT = {
  retrying: t("We couldn't save your message. Retrying…"),
  sending: t("Sending…"),
};

function render(entry) {
  const offline = !view.socket || !view.socket.connected;
  const text = entry.status === "failed" ? entry.error || t("Not sent.")
    : entry.status === "queued" && offline ? t("Waiting for connection…")
      : STATUS_TEXT[entry.status] || STATUS_TEXT.sending;
  showOutgoingState(entry.node, { text, failed: entry.status === "failed", onRetry: () => retry(entry) });
}
