/* "Your chats": the chats started in this browser, to switch between them or start a new one. */
import { byId, el, formatTime } from "../shared/dom.js";
import { ui, view } from "./page.js";
import { storedChats } from "./store.js";
import { t } from "../shared/i18n.js";

const drawer = byId("chats-drawer");
const opener = byId("chats-open");
const list = byId("chats-list");
const empty = byId("chats-empty");

/** openChat(chatId) shows a stored chat; startNewChat() clears the view for a new one. */
export function bindDrawer({ openChat, startNewChat }) {
  opener.addEventListener("click", () => {
    render(openChat);
    drawer.showModal();
    opener.setAttribute("aria-expanded", "true");
  });
  byId("chats-close").addEventListener("click", () => drawer.close());
  drawer.addEventListener("click", (event) => {
    if (event.target === drawer) drawer.close(); // a click on the backdrop
  });
  drawer.addEventListener("close", () => {
    opener.setAttribute("aria-expanded", "false");
    ui.input.focus();
  });
  [byId("new-chat"), byId("drawer-new-chat")].forEach((button) => button.addEventListener("click", () => {
    if (drawer.open) drawer.close();
    startNewChat();
  }));
}

function render(openChat) {
  const chats = storedChats();
  list.replaceChildren(...chats.map((chat) => renderItem(chat, openChat)));
  empty.hidden = chats.length > 0;
}

function renderItem(chat, openChat) {
  const item = el("li");
  const button = el("button", "chat-item");
  button.type = "button";
  const current = chat.chat_id === view.chatId;
  if (current) button.setAttribute("aria-current", "true");
  const details = [formatTime(chat.started_at) || t("Earlier")];
  if (current) details.push(t("Open now"));
  if (chat.booking && chat.booking.label) details.push(t("Call booked"));
  button.append(
    el("span", "chat-item__preview", chat.preview || t("New conversation")),
    el("span", "chat-item__meta", details.join(" · ")),
  );
  button.addEventListener("click", () => {
    drawer.close();
    openChat(chat.chat_id);
  });
  item.append(button);
  return item;
}
