/* The desk's shared parts: the signed-in advisor, the chat store, the open chat's view, REST,
   notices and announcements. Every panel module imports what it needs from here. */
import { announcer, byId, el, noticeBar, storage } from "../shared/dom.js";
import { fetchJSON } from "../shared/connection.js";
import { t } from "../shared/i18n.js";

const body = document.body;
const csrfToken = body.dataset.csrf || "";
export const me = body.dataset.username || "";
export const maxLength = parseInt(body.dataset.maxMessageLength, 10) || 2000;
export const phoneLayout = window.matchMedia("(max-width: 699px)");
export const wideLayout = window.matchMedia("(min-width: 1100px)");

export const desk = byId("desk");
export const notice = noticeBar();
export const announce = announcer(byId("announcer"));

/** What the desk knows; panels read and change it, then render. */
export const state = {
  chats: new Map(), // chat id -> ChatSummary
  filter: "all",
  pages: {}, // per filter: {offset, total} of the server's list read so far
  model: null,
  slots: [],
  soundOn: storage.get("havana.admin.sound") === "on",
  sessionEnded: false,
  canned: [], // [{id, shortcut, text}]
  answers: null, // learned answers, every status; null until loaded
  gaps: null, // null until loaded
  knowledgeView: "pending",
  typing: new Map(), // chat id -> timer while its student is typing
  edits: new Map(), // chat id -> how many live changes it has had (a slower answer must not undo them)
  socket: null,
};

/** The open chat. `generation` changes with every switch, so a late answer for another is dropped. */
export const view = {
  chatId: null,
  generation: 0,
  loading: false,
  pushedHistory: false,
  togglePending: false,
  briefShown: null, // the brief on screen, to leave it alone when nothing changed
};

export function chatName(chatId) {
  return t("Chat %(id)s", { id: String(chatId).slice(0, 8) });
}

/** Viewers' account names, with "you" for this advisor (or without them). */
export function viewerNames(viewers, excludeMe) {
  const names = (viewers || []).filter((name) => !(excludeMe && name === me));
  return names.map((name) => (name === me ? t("you") : name));
}

export function connected() {
  return Boolean(state.socket && state.socket.connected);
}

/** Offline: say so instead of trying `what`; true when the socket is there. */
export function online(what) {
  if (connected()) return true;
  notice.show(t("You're offline. %(what)s until the connection is back.", { what }));
  return false;
}

export function sessionEnded() {
  state.sessionEnded = true;
  notice.show(t("Your session has ended. Sign in again to keep working."), { signIn: true });
}

/** /api + path; writes carry the CSRF token, and a 401 ends the session on screen. */
export function api(path, options) {
  const opts = Object.assign({}, options);
  if (opts.method && opts.method !== "GET") opts.headers = Object.assign({ "X-CSRFToken": csrfToken }, opts.headers);
  return fetchJSON("/api" + path, opts).then((res) => {
    if (res.status === 401) sessionEnded();
    return res;
  });
}

export function ok(res) {
  return res.status >= 200 && res.status < 300 && res.body && res.body.ok;
}

/** "★★★★☆" read out as "Rated 4 out of 5". */
export function stars(rating, className) {
  const value = Math.max(0, Math.min(5, Math.round(Number(rating) || 0)));
  const node = el("span", "stars " + (className || ""));
  node.setAttribute("role", "img");
  node.setAttribute("aria-label", t("Rated %(n)s out of 5", { n: value }));
  node.append(el("span", "stars__on", "★".repeat(value)), el("span", "stars__off", "★".repeat(5 - value)));
  return node;
}

const dialogOpener = new Map(); // dialog -> the element to focus again when it closes

/** Open a modal dialog; focus returns to what had it when the dialog closes. */
export function openDialog(dialog, focus) {
  if (dialog.open) return;
  dialogOpener.set(dialog, document.activeElement);
  dialog.showModal();
  if (focus) focus.focus();
}

export function bindDialog(dialog) {
  dialog.addEventListener("close", () => {
    const opener = dialogOpener.get(dialog);
    dialogOpener.delete(dialog);
    if (opener && document.contains(opener) && typeof opener.focus === "function") opener.focus();
  });
  // A click on the backdrop (the dialog box itself, outside its content) closes it.
  dialog.addEventListener("click", (event) => { if (event.target === dialog) dialog.close(); });
}
