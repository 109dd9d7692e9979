/* Helpers shared by the student and admin pages, exposed as window.Havana. */
(function () {
  "use strict";

  const ROLES = ["human", "ai", "human_operator", "system"];

  /** Create an element; text always goes in through textContent. */
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
  const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short" });

  function parseDate(iso) {
    if (!iso) return null;
    let text = String(iso);
    // A timestamp without a zone would be read as local time; the server speaks UTC.
    if (/T\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(text)) text += "Z";
    const date = new Date(text);
    return Number.isNaN(date.getTime()) ? null : date;
  }

  /** "14:05" for today, "Mon 23 Nov, 14:05" for other days, "" when unknown. */
  function formatTime(iso) {
    const date = parseDate(iso);
    if (!date) return "";
    const time = timeFormat.format(date);
    return date.toDateString() === new Date().toDateString() ? time : dayFormat.format(date) + ", " + time;
  }

  function roleLabel(role, perspective) {
    switch (role) {
      case "human": return perspective === "admin" ? "Student" : "You";
      case "ai": return "Assistant";
      case "human_operator": return "Advisor";
      default: return "Notice";
    }
  }

  /** One message as an <li>; the viewer's own side gets .msg--own (right-hand). */
  function renderMessage(msg, options) {
    const perspective = (options && options.perspective) || "student";
    const role = ROLES.includes(msg.role) ? msg.role : "system";
    const item = el("li", "msg msg--" + role);
    item.dataset.role = role;
    if (msg.id !== undefined && msg.id !== null) item.dataset.id = String(msg.id);
    if (msg.client_id) item.dataset.clientId = msg.client_id;

    const time = el("time", "msg__time", formatTime(msg.created_at));
    if (msg.created_at) time.dateTime = msg.created_at;

    if (role === "system") {
      const notice = el("p", "msg__notice", msg.message);
      if (time.textContent) notice.append(" · ", time);
      item.append(notice);
      return item;
    }

    const own = perspective === "admin" ? role !== "human" : role === "human";
    item.classList.add(own ? "msg--own" : "msg--other");
    const author = role === "ai" ? msg.model_label || "Assistant" : roleLabel(role, perspective);
    const meta = el("p", "msg__meta");
    meta.append(time);
    item.append(el("p", "msg__author", author), el("div", "msg__bubble", msg.message), meta);
    return item;
  }

  function newClientId() {
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
  const storage = (function () {
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
    function setJSON(key, value) { set(key, JSON.stringify(value)); }
    return { get, set, remove, getJSON, setJSON };
  })();

  window.Havana = { el, formatTime, parseDate, roleLabel, renderMessage, newClientId, storage };
})();

/* Added for the admin dashboard; generic enough for any page. */
(function () {
  "use strict";

  const H = window.Havana;

  /** "now", "5 min", "3 h", "yesterday", "4 d", then a date; "" when unknown. */
  function relativeTime(iso, now) {
    const date = H.parseDate(iso);
    if (!date) return "";
    const seconds = Math.max(0, ((now || Date.now()) - date.getTime()) / 1000);
    if (seconds < 45) return "now";
    if (seconds < 3600) return Math.round(seconds / 60) + " min";
    if (seconds < 86400) return Math.round(seconds / 3600) + " h";
    const days = Math.round(seconds / 86400);
    if (days === 1) return "yesterday";
    if (days < 7) return days + " d";
    return date.toLocaleDateString(undefined, { day: "numeric", month: "short" });
  }

  /** Same-origin JSON request; resolves to {status, body} and never throws on HTTP errors. */
  function fetchJSON(url, options) {
    const opts = Object.assign({ credentials: "same-origin", headers: {} }, options);
    opts.headers = Object.assign({ Accept: "application/json" }, opts.headers);
    if (opts.json !== undefined) {
      opts.body = JSON.stringify(opts.json);
      opts.headers["Content-Type"] = "application/json";
      delete opts.json;
    }
    return fetch(url, opts).then(
      (res) => res.json().catch(() => null).then((body) => ({ status: res.status, body: body })),
      () => ({ status: 0, body: null }),
    );
  }

  H.relativeTime = relativeTime;
  H.fetchJSON = fetchJSON;
})();
