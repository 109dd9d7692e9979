/* DOM and formatting helpers shared by every page. Text always goes in through textContent. */
import { lang, t } from "./i18n.js";

export const byId = (id) => document.getElementById(id);

/** Create an element; text always goes in through textContent. */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** An inline SVG icon drawn from one path (stroked unless `filled`). */
export function icon(d, options = {}) {
  const svg = document.createElementNS(SVG_NS, "svg");
  if (options.className !== null) svg.setAttribute("class", options.className || "icon");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", d);
  if (!options.filled) {
    path.setAttribute("fill", "none");
    path.setAttribute("stroke", "currentColor");
    path.setAttribute("stroke-width", "2");
    path.setAttribute("stroke-linecap", "round");
  }
  svg.append(path);
  return svg;
}

export const CLOSE_ICON = "M6 6l12 12M18 6L6 18";

export const numberFormat = new Intl.NumberFormat(lang);
const timeFormat = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit" });
const dayFormat = new Intl.DateTimeFormat(lang, { weekday: "short", day: "numeric", month: "short" });

export function parseDate(iso) {
  if (!iso) return null;
  let text = String(iso);
  // A timestamp without a zone would be read as local time; the server speaks UTC.
  if (/T\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(text)) text += "Z";
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** A "YYYY-MM-DD" date as local midnight, or null. */
export function dateOnly(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || "");
  return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
}

/** "14:05" for today, "Mon 23 Nov, 14:05" for other days, "" when unknown. */
export function formatTime(iso) {
  const date = parseDate(iso);
  if (!date) return "";
  const time = timeFormat.format(date);
  return date.toDateString() === new Date().toDateString() ? time : dayFormat.format(date) + ", " + time;
}

/** "now", "5 min", "3 h", "yesterday", "4 d", then a date; "" when unknown. */
export function relativeTime(iso, now) {
  const date = parseDate(iso);
  if (!date) return "";
  const seconds = Math.max(0, ((now || Date.now()) - date.getTime()) / 1000);
  if (seconds < 45) return t("now");
  if (seconds < 3600) return t("%(n)s min", { n: Math.round(seconds / 60) });
  if (seconds < 86400) return t("%(n)s h", { n: Math.round(seconds / 3600) });
  const days = Math.round(seconds / 86400);
  if (days === 1) return t("yesterday");
  if (days < 7) return t("%(n)s d", { n: days });
  return date.toLocaleDateString(lang, { day: "numeric", month: "short" });
}

/** Code points, like the server's len(). */
export function countChars(text) {
  return Array.from(text).length;
}

export function newClientId() {
  const cryptoApi = window.crypto;
  if (cryptoApi && typeof cryptoApi.randomUUID === "function") return "c-" + cryptoApi.randomUUID();
  // randomUUID needs a secure context; getRandomValues does not.
  const bytes = new Uint8Array(16);
  if (cryptoApi && cryptoApi.getRandomValues) cryptoApi.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return "c-" + [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
}

/** localStorage that falls back to memory (private mode, disabled storage, full quota). */
export const storage = (() => {
  const memory = new Map();
  let local = null;
  try {
    local = window.localStorage;
    local.setItem("havana.probe", "1");
    local.removeItem("havana.probe");
  } catch (e) {
    local = null;
  }
  function get(key) {
    if (local && !memory.has(key)) {
      try { return local.getItem(key); } catch (e) { /* use memory */ }
    }
    return memory.has(key) ? memory.get(key) : null;
  }
  function set(key, value) {
    if (local) {
      try {
        local.setItem(key, String(value));
        memory.delete(key);
        return;
      } catch (e) { /* quota or storage switched off: keep it in memory */ }
    }
    memory.set(key, String(value));
  }
  function remove(key) {
    memory.delete(key);
    if (local) {
      try { local.removeItem(key); } catch (e) { /* nothing to remove */ }
    }
  }
  function getJSON(key, fallback) {
    const raw = get(key);
    if (raw === null) return fallback;
    try { return JSON.parse(raw); } catch (e) { return fallback; }
  }
  return { get, set, remove, getJSON, setJSON: (key, value) => set(key, JSON.stringify(value)) };
})();

/** A polite live region: `announce(text)` reads text out once, even when it repeats. */
export function announcer(node) {
  return (text) => {
    node.textContent = "";
    window.setTimeout(() => { node.textContent = text; }, 50);
  };
}

/** The page's dismissible notice bar (#notice, #notice-text, #notice-dismiss, optional #notice-link). */
export function noticeBar(onDismiss) {
  const bar = byId("notice");
  const text = byId("notice-text");
  const link = byId("notice-link");
  const hide = () => { bar.hidden = true; };
  byId("notice-dismiss").addEventListener("click", () => {
    hide();
    if (onDismiss) onDismiss();
  });
  return {
    show(message, options) {
      text.textContent = message;
      if (link) link.hidden = !(options && options.signIn);
      bar.hidden = false;
    },
    hide,
  };
}
