/* What both composers share: Enter sends, the box grows with its text, a counter near the limit,
   and the throttled "typing" signal to the other side. */
import { countChars, numberFormat } from "./dom.js";
import { t } from "./i18n.js";

const COUNTER_FROM = 0.8;
const TYPING_EVERY_MS = 2000;
const TYPING_IDLE_MS = 5000;

/**
 * Wire a composer: {form, input, counter, maxLength, onSubmit, onKey?, onInput?}.
 * onKey(event) returns true when it used the key (the canned-response list does).
 * Returns refresh(), to call after the text changes from code.
 */
export function bindComposer({ form, input, counter, maxLength, onSubmit, onKey, onInput }) {
  function refresh() {
    input.style.height = "auto";
    input.style.height = input.scrollHeight + (input.offsetHeight - input.clientHeight) + "px";
    const length = countChars(input.value.trim());
    const show = length >= maxLength * COUNTER_FROM;
    counter.hidden = !show;
    counter.textContent = show ? numberFormat.format(length) + " / " + numberFormat.format(maxLength) : "";
    counter.classList.toggle("char-counter--over", length > maxLength);
    return length;
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    onSubmit();
  });
  input.addEventListener("keydown", (event) => {
    if (event.isComposing || event.keyCode === 229 || (onKey && onKey(event))) return;
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      onSubmit();
    }
  });
  input.addEventListener("input", () => {
    const length = refresh();
    if (onInput) onInput(length);
  });
  refresh();
  return refresh;
}

/** Why a message cannot be sent ("" when it can). */
export function messageProblem(text, maxLength) {
  if (!text) return t("Type a message before sending.");
  const length = countChars(text);
  if (length <= maxLength) return "";
  return t("Your message is %(over)s characters over the %(limit)s-character limit. Please shorten it.",
    { over: numberFormat.format(length - maxLength), limit: numberFormat.format(maxLength) });
}

/**
 * The viewer's "typing" signal: `true` at most every 2 s while typing; `false` once, on send,
 * blur or 5 s idle. send(chatId, typing) emits it; chatId() is the chat it concerns (or null).
 */
export function typingSignal(send, chatId) {
  let sent = { chatId: null, at: 0 };
  let idle = 0;
  return function signal(on) {
    window.clearTimeout(idle);
    const current = chatId();
    if (on && current) {
      idle = window.setTimeout(() => signal(false), TYPING_IDLE_MS);
      if (sent.chatId === current && Date.now() - sent.at < TYPING_EVERY_MS) return;
      if (send(current, true)) sent = { chatId: current, at: Date.now() };
      return;
    }
    if (!sent.chatId) return;
    send(sent.chatId, false);
    sent = { chatId: null, at: 0 };
  };
}
