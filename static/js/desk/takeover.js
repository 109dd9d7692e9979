/* Taking a chat over from the assistant, handing it back, closing and reopening it. While one
   advisor holds a chat, the switch and the composer are theirs alone. */
import { byId } from "../shared/dom.js";
import { EVENTS, STATUS, statusOf } from "../shared/protocol.js";
import { announce, me, notice, online, state, view } from "./page.js";
import { renderChatList, updateChat } from "./chat-list.js";
import { dismissAlert } from "./alerts.js";
import { lockComposer } from "./composer.js";
import { renderHeader } from "./chat-view.js";
import { t } from "../shared/i18n.js";

const ui = {
  toggle: byId("human-toggle"),
  takeover: byId("operator-takeover"),
  close: byId("chat-close"),
  reopen: byId("chat-reopen"),
  hint: byId("operator-hint"),
  hintText: byId("operator-hint-text"),
};

/** The switch, the close/reopen buttons and the composer for the open chat (null: none shown). */
export function renderTakeover(chat) {
  const status = chat ? statusOf(chat) : STATUS.AI;
  const on = status === STATUS.HUMAN;
  const heldBy = on && chat.taken_by && chat.taken_by !== me ? chat.taken_by : null;
  const closed = status === STATUS.CLOSED;
  const mine = on && !heldBy;
  ui.close.hidden = !chat || closed;
  ui.reopen.hidden = !chat || !closed;
  ui.toggle.setAttribute("aria-checked", String(on));
  ui.toggle.disabled = Boolean(heldBy);
  ui.toggle.title = heldBy ? t("%(name)s is handling this chat.", { name: heldBy }) : "";
  ui.hint.hidden = mine;
  ui.hint.classList.toggle("composer__lock--taken", Boolean(heldBy));
  if (heldBy) {
    ui.hintText.textContent = t("%(name)s is handling this chat. Only they can write to the student until they hand it back.", { name: heldBy });
  } else {
    ui.hintText.textContent = closed ? t("This chat is closed. Take it over to write to the student again.")
      : t("Turn on human intervention to write to the student.");
  }
  ui.takeover.hidden = Boolean(heldBy);
  lockComposer(!mine);
}

function toggleHuman(enabled) {
  const chatId = view.chatId;
  if (!chatId || view.togglePending || !online(t("The chat can't be taken over"))) return;
  view.togglePending = true;
  ui.toggle.setAttribute("aria-busy", "true");
  state.socket.request(EVENTS.TOGGLE_HUMAN_ENABLED, { chat_id: chatId, enabled }, (err, ack) => {
    view.togglePending = false;
    ui.toggle.removeAttribute("aria-busy");
    if (err) {
      notice.show(t("The server did not answer. Please try again."));
      return;
    }
    if (!ack || !ack.ok) return; // the `error` event says why
    applyHandoff(ack);
    if (statusOf(ack) === STATUS.HUMAN && chatId === view.chatId) byId("operator-input").focus();
  });
}

function setChatClosed(close) {
  const chatId = view.chatId;
  const button = close ? ui.close : ui.reopen;
  if (!chatId || button.disabled || !online(close ? t("The chat can't be closed") : t("The chat can't be reopened"))) return;
  button.disabled = true;
  state.socket.request(close ? EVENTS.CLOSE_CHAT : EVENTS.REOPEN_CHAT, { chat_id: chatId }, (err, ack) => {
    button.disabled = false;
    if (err) {
      notice.show(t("The server did not answer. Please try again."));
      return;
    }
    if (!ack || !ack.ok) return; // the `error` event says why
    applyHandoff(ack);
    if (chatId !== view.chatId) return;
    announce(close ? t("Chat closed. The student is asked to rate it.") : t("Chat reopened."));
    (close ? ui.reopen : ui.close).focus();
  });
}

/** human_enabled_changed, chat_closed, chat_reopened and their acks share this shape. */
export function applyHandoff(data) {
  const status = statusOf(data);
  const fields = { status };
  if ("taken_by" in data) fields.taken_by = data.taken_by;
  if (status !== STATUS.HUMAN) fields.taken_by = null;
  const chat = updateChat(data.chat_id, fields);
  if (status === STATUS.HUMAN) dismissAlert(data.chat_id);
  if (chat) renderChatList();
  if (data.chat_id === view.chatId) renderHeader();
}

ui.toggle.addEventListener("click", () => toggleHuman(ui.toggle.getAttribute("aria-checked") !== "true"));
ui.takeover.addEventListener("click", () => toggleHuman(true));
ui.close.addEventListener("click", () => setChatClosed(true));
ui.reopen.addEventListener("click", () => setChatClosed(false));
