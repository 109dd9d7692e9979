/* The advisor's composer: sending to the student (with a retry when it fails), and "typing". */
import { byId, newClientId } from "../shared/dom.js";
import { renderMessage, showOutgoingState } from "../shared/message.js";
import { bindComposer, messageProblem, typingSignal } from "../shared/composer.js";
import { EVENTS, ROLE, errorOf } from "../shared/protocol.js";
import { connected, maxLength, me, state, view } from "./page.js";
import { addMessage, thread } from "./chat-view.js";
import { closeSuggestions, suggestionKey, updateSuggestions } from "./canned.js";
import { t } from "../shared/i18n.js";

const ui = {
  form: byId("operator-form"),
  input: byId("operator-input"),
  send: byId("operator-send"),
  feedback: byId("operator-feedback"),
  counter: byId("operator-counter"),
};

const pending = new Map(); // client_id -> {clientId, chatId, text, node}

export const advisorTyping = typingSignal((chatId, typing) => {
  if (!connected()) return false;
  state.socket.emit(EVENTS.ADMIN_TYPING, { chat_id: chatId, typing });
  return true;
}, () => (view.chatId && !ui.input.disabled && connected() ? view.chatId : null));

export function stopTyping() {
  advisorTyping(false);
}

/** Only the advisor holding the chat writes to the student. */
export function lockComposer(locked) {
  ui.input.disabled = locked;
  ui.send.disabled = locked;
  ui.form.classList.toggle("composer--off", locked);
  if (locked) closeSuggestions();
}

/** A newly opened chat starts with an empty composer. */
export function resetComposer() {
  pending.clear();
  closeSuggestions();
  ui.feedback.textContent = "";
  ui.input.value = "";
  refresh();
}

/** Put text in the composer (a canned response), ready to send. */
export function fillComposer(text) {
  ui.input.value = text;
  ui.input.focus();
  ui.input.setSelectionRange(text.length, text.length);
  refresh();
  advisorTyping(true);
}

function submit() {
  const text = ui.input.value.trim();
  if (!view.chatId || ui.input.disabled) return;
  const problem = text ? messageProblem(text, maxLength) : t("Write a message first.");
  ui.feedback.textContent = problem;
  if (problem) return;
  closeSuggestions();
  advisorTyping(false);
  const entry = { clientId: newClientId(), chatId: view.chatId, text, node: null };
  entry.node = renderMessage({
    role: ROLE.OPERATOR, chat_id: view.chatId, message: text, author: me,
    created_at: new Date().toISOString(), client_id: entry.clientId,
  }, { perspective: "desk" });
  pending.set(entry.clientId, entry);
  thread.addOutgoing(entry.node, entry.clientId);
  ui.input.value = "";
  refresh();
  send(entry);
}

function send(entry) {
  const show = (text, failed) => showOutgoingState(entry.node, { text, failed, onRetry: () => send(entry) });
  show(t("Sending…"), false);
  if (!connected()) {
    show(t("Not sent: you're offline."), true);
    return;
  }
  state.socket.request(EVENTS.ADMIN_MESSAGE, { chat_id: entry.chatId, message: entry.text, client_id: entry.clientId }, (err, ack) => {
    if (pending.get(entry.clientId) !== entry || !entry.node.isConnected) return; // settled by new_message already
    if (err) show(t("Not sent: the server did not answer."), true);
    else if (!ack || !ack.ok) show(t("Not sent: %(error)s", { error: errorOf(ack).message }), true);
    else {
      pending.delete(entry.clientId);
      addMessage(ack.message);
    }
  });
}

const refresh = bindComposer({
  form: ui.form, input: ui.input, counter: ui.counter, maxLength, onSubmit: submit, onKey: suggestionKey,
  onInput: () => {
    updateSuggestions();
    advisorTyping(ui.input.value.trim() !== "");
    if (ui.feedback.textContent) ui.feedback.textContent = "";
  },
});
ui.input.addEventListener("blur", () => {
  advisorTyping(false);
  closeSuggestions();
});
