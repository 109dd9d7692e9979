/* Who the student is talking to: the header's subtitle, "Advisor online", and the hand-off banner
   with the student's place in the queue. */
import { numberFormat } from "../shared/dom.js";
import { STATUS } from "../shared/protocol.js";
import { assistantLabel, thread, ui, view } from "./page.js";
import { t, tn } from "../shared/i18n.js";

const BANNER_HIDE_MS = 8000;
const TYPING_TIMEOUT_MS = 15000;
const BANNER_TEXT = {
  waiting: t("You're being connected to an admissions advisor"),
  queued: t("An advisor will join shortly"),
  unavailable: t("No advisor is available right now. You can book a call instead."),
  joined: t("An advisor has joined the chat"),
  back: t("You're back with the assistant"),
};
const SUBTITLE = {
  [STATUS.WAITING_HUMAN]: t("Waiting for an advisor"), [STATUS.HUMAN]: t("Advisor"), [STATUS.CLOSED]: t("Conversation closed"),
};
const PLACEHOLDER = { [STATUS.HUMAN]: t("Message the advisor…"), [STATUS.CLOSED]: t("Write to reopen the chat…") };

let bannerTimer = 0;

/** The chat's status changed: the subtitle, the composer's placeholder and who may be typing follow. */
export function setStatus(status) {
  view.status = status;
  ui.subtitle.textContent = SUBTITLE[status] || assistantLabel;
  ui.subtitle.dataset.status = status;
  ui.input.placeholder = PLACEHOLDER[status] || t("Ask about admissions…");
  setAdvisorsOnline(view.advisorsOnline);
  if (status !== STATUS.HUMAN) thread.setTyping("advisor", false);
}

/** "Advisor online" while one has the chat open; a closed chat says only that it is closed. */
export function setAdvisorsOnline(count) {
  view.advisorsOnline = Number(count) || 0;
  ui.advisorOnline.hidden = !(view.advisorsOnline > 0) || view.status === STATUS.CLOSED;
}

export function setTyping(who, on) {
  thread.setTyping(who, on, TYPING_TIMEOUT_MS);
}

/** An advisor took the chat (joined: true) or gave it back; `name` is their display name. */
export function advisorChanged(joined, name) {
  if (joined) showBanner("joined", name ? t("%(name)s has joined the chat", { name: t(name) }) : BANNER_TEXT.joined);
  else showBanner("back");
}

/** The hand-off banner; "waiting" and "unavailable" stay until the queue changes. */
export function showBanner(tone, text, detail) {
  window.clearTimeout(bannerTimer);
  ui.banner.dataset.tone = tone;
  ui.bannerText.textContent = text || BANNER_TEXT[tone];
  ui.bannerDetail.textContent = detail || "";
  ui.banner.hidden = false;
  if (!isQueueTone(tone)) bannerTimer = window.setTimeout(hideBanner, BANNER_HIDE_MS);
}

export function hideBanner() {
  window.clearTimeout(bannerTimer);
  ui.banner.hidden = true;
  ui.banner.dataset.tone = "";
}

function isQueueTone(tone) {
  return tone === "waiting" || tone === "unavailable";
}

/** Where the student stands while waiting (chat.queue or queue_status; null: not known yet). */
export function showQueue(queue) {
  if (view.status === STATUS.HUMAN || (queue && (queue.position === null || queue.position === undefined))) {
    clearQueue();
  } else if (!queue) {
    showBanner("waiting");
  } else if (queue.available_now === false) {
    showBanner("unavailable");
  } else {
    showBanner("waiting", BANNER_TEXT.queued, queuePlace(Number(queue.position), Number(queue.estimated_minutes)));
  }
}

export function clearQueue() {
  if (isQueueTone(ui.banner.dataset.tone)) hideBanner();
}

function queuePlace(position, minutes) {
  const about = minutes > 0 ? tn("about %(n)s minute", "about %(n)s minutes", minutes, { n: numberFormat.format(minutes) }) : "";
  if (position === 1) return about ? t("You're next — %(about)s", { about }) : t("You're next");
  if (!(position > 1)) return "";
  const place = t("You are number %(position)s in the queue", { position: numberFormat.format(position) });
  return about ? t("%(place)s, %(about)s", { place, about }) : place;
}
