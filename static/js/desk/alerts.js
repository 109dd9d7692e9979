/* Escalation alerts at the top of the desk, with an optional two-tone sound. */
import { byId, CLOSE_ICON, el, icon, relativeTime, storage } from "../shared/dom.js";
import { chatName, state } from "./page.js";
import { t } from "../shared/i18n.js";

const MAX_ALERTS = 3;
const SOUND_KEY = "havana.admin.sound";
const alerts = byId("escalation-alert");
const soundToggle = byId("sound-toggle");
let audio = null;

export function showEscalationAlert(chatId, reason) {
  dismissAlert(chatId);
  const toast = el("div", "toast");
  toast.dataset.chatId = chatId;
  const text = el("p", "toast__text");
  text.append(el("strong", null, t("Student needs a human: ")), document.createTextNode(reason || t("no reason given")));
  const meta = el("p", "toast__meta", chatName(chatId) + " · ");
  const time = el("time", "toast__time", t("now"));
  time.dateTime = new Date().toISOString();
  meta.append(time);
  const open = el("button", "button button--small button--alert", t("Open chat"));
  open.type = "button";
  open.dataset.openChat = chatId;
  const dismiss = el("button", "icon-button toast__dismiss");
  dismiss.type = "button";
  dismiss.setAttribute("aria-label", t("Dismiss alert"));
  dismiss.append(icon(CLOSE_ICON));
  dismiss.addEventListener("click", () => dismissAlert(chatId));
  const content = el("div", "toast__content");
  content.append(text, meta);
  const actions = el("div", "toast__actions");
  actions.append(open, dismiss);
  toast.append(el("span", "toast__icon"), content, actions);
  alerts.prepend(toast);
  while (alerts.children.length > MAX_ALERTS) alerts.lastElementChild.remove();
  beep();
}

export function dismissAlert(chatId) {
  alerts.querySelectorAll(".toast").forEach((toast) => { if (toast.dataset.chatId === chatId) toast.remove(); });
}

export function tickAlertTimes(now) {
  alerts.querySelectorAll(".toast__time").forEach((time) => { time.textContent = relativeTime(time.dateTime, now); });
}

/** Two short tones, made on the spot: no audio files to ship. */
function beep() {
  if (!state.soundOn) return;
  const AudioCtx = window.AudioContext || window.webkitAudioContext;
  if (!AudioCtx) return;
  try {
    audio = audio || new AudioCtx();
    if (audio.state === "suspended") audio.resume();
    [[880, 0], [1174.7, 0.16]].forEach(([freq, delay]) => {
      const start = audio.currentTime + delay;
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.type = "sine";
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.2, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.14);
      osc.connect(gain).connect(audio.destination);
      osc.start(start);
      osc.stop(start + 0.15);
    });
  } catch (e) {
    // Sound is a nicety; the visible alert is what counts.
  }
}

function setSound(on) {
  state.soundOn = on;
  storage.set(SOUND_KEY, on ? "on" : "off");
  soundToggle.setAttribute("aria-checked", String(on));
  if (on) beep(); // inside the click, so the browser lets the page play sound later
}

soundToggle.addEventListener("click", () => setSound(!state.soundOn));
soundToggle.setAttribute("aria-checked", String(state.soundOn));
