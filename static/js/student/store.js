/* This browser's chats, remembered in localStorage (the token is the key to each). */
import { storage } from "../shared/dom.js";

const CHATS_KEY = "havana.chats";
const CURRENT_KEY = "havana.current";
const MAX_STORED_CHATS = 20;
const PREVIEW_LENGTH = 90;

export function storedChats() {
  const list = storage.getJSON(CHATS_KEY, []);
  if (!Array.isArray(list)) return [];
  return list.filter((c) => c && typeof c.chat_id === "string" && typeof c.token === "string");
}

export function findChat(chatId) {
  return storedChats().find((c) => c.chat_id === chatId) || null;
}

/** Insert or update one chat record; new chats go to the top of the list. */
export function saveChat(chatId, fields) {
  const list = storedChats();
  const index = list.findIndex((c) => c.chat_id === chatId);
  if (index === -1) {
    if (typeof fields.token !== "string") return;
    list.unshift(Object.assign({ chat_id: chatId }, fields));
  } else {
    list[index] = Object.assign({}, list[index], fields);
  }
  storage.setJSON(CHATS_KEY, list.slice(0, MAX_STORED_CHATS));
}

export function forgetChat(chatId) {
  storage.setJSON(CHATS_KEY, storedChats().filter((c) => c.chat_id !== chatId));
  if (currentChat() === chatId) setCurrentChat(null);
}

export function currentChat() {
  return storage.get(CURRENT_KEY);
}

export function setCurrentChat(chatId) {
  if (chatId) storage.set(CURRENT_KEY, chatId);
  else storage.remove(CURRENT_KEY);
}

export function preview(text) {
  const flat = text.replace(/\s+/g, " ");
  return flat.length > PREVIEW_LENGTH ? flat.slice(0, PREVIEW_LENGTH - 1) + "…" : flat;
}
