/* The Socket.IO connection, requests with ack timeouts, and same-origin JSON over fetch. */
import { byId } from "./dom.js";
import { t } from "./i18n.js";

const DEFAULT_TEXT = { connecting: t("Connecting…"), connected: t("Connected"), reconnecting: t("Reconnecting…"), offline: t("Offline") };
const RECONNECT_MS = 3000;

/**
 * One connection for the page (null when the vendored client failed to load).
 * `request(event, payload, callback)` calls back (err, ack); err is set when no ack came in time.
 * `awaiting(event)` says whether a request for that event is waiting for its ack: the server sends
 * a refused request's `error` event just before the failed ack, and the ack's handler shows it.
 */
export function connect({ ackTimeoutMs }) {
  if (typeof window.io !== "function") return null;
  const socket = window.io({ reconnection: true });
  const pending = new Map(); // event -> how many requests await their ack

  socket.request = (event, payload, callback) => {
    pending.set(event, (pending.get(event) || 0) + 1);
    let settled = false;
    socket.timeout(ackTimeoutMs).emit(event, payload, (err, ack) => {
      if (settled) return;
      settled = true;
      pending.set(event, Math.max(0, (pending.get(event) || 1) - 1));
      callback(err, ack);
    });
  };
  socket.awaiting = (event) => (pending.get(event) || 0) > 0;
  socket.on("disconnect", (reason) => {
    pending.clear();
    // The client does not reconnect by itself after a server-side disconnect.
    if (reason === "io server disconnect") window.setTimeout(() => socket.connect(), RECONNECT_MS);
  });
  return socket;
}

/** The header's connection pill (#connection-status, #connection-text). */
export function connectionStatus(texts) {
  const pill = byId("connection-status");
  const label = byId("connection-text");
  const words = Object.assign({}, DEFAULT_TEXT, texts);
  return {
    set(state) {
      pill.dataset.state = state;
      label.textContent = words[state];
    },
    /** What a lost connection is: the browser knows when it is offline. */
    lost: () => (navigator.onLine === false ? "offline" : "reconnecting"),
  };
}

/** Same-origin JSON request; resolves to {status, body} and never throws on HTTP errors. */
export function fetchJSON(url, options) {
  const opts = Object.assign({ credentials: "same-origin", headers: {} }, options);
  opts.headers = Object.assign({ Accept: "application/json" }, opts.headers);
  if (opts.json !== undefined) {
    opts.body = JSON.stringify(opts.json);
    opts.headers["Content-Type"] = "application/json";
    delete opts.json;
  }
  return fetch(url, opts).then(
    (res) => res.json().catch(() => null).then((body) => ({ status: res.status, body })),
    () => ({ status: 0, body: null }),
  );
}
