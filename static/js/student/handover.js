/* A chat handed over by the link in an answer e-mail (/chat/reopen/<token>): remember it in this
   browser and make it the open chat, before main.js reads the stored chats. */
import { saveChat, setCurrentChat } from "./store.js";

const block = document.getElementById("chat-handover");
if (block) {
  try {
    const chat = JSON.parse(block.textContent);
    if (chat && typeof chat.chat_id === "string" && typeof chat.token === "string") {
      saveChat(chat.chat_id, { token: chat.token });
      setCurrentChat(chat.chat_id);
    }
  } catch (e) {
    /* a broken block: the page opens as usual */
  }
  if (window.history && window.history.replaceState) window.history.replaceState(null, "", "/");
}
