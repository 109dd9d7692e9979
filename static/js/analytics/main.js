/* Analytics page: the figures from GET /api/analytics for the period picked (14, 30 or 90 days). */
import { byId, formatTime } from "../shared/dom.js";
import { fetchJSON } from "../shared/connection.js";
import { draw } from "./charts.js";
import { render, ui as figures } from "./figures.js";
import { t } from "../shared/i18n.js";

const RANGES = [14, 30, 90];
const ui = {
  main: byId("analytics"),
  title: byId("range-title"),
  ranges: document.querySelectorAll("[data-days]"),
  status: byId("analytics-status"),
  error: byId("analytics-error"),
};
const state = { days: initialDays(), request: 0 };

function initialDays() {
  const days = Number(new URLSearchParams(location.search).get("days"));
  return RANGES.includes(days) ? days : RANGES[0];
}

/* ---------- loading ---------- */

function load(days) {
  state.days = days;
  const mine = ++state.request;
  ui.ranges.forEach((b) => b.setAttribute("aria-pressed", String(Number(b.dataset.days) === days)));
  ui.title.textContent = t("The last %(n)s days", { n: days });
  ui.main.setAttribute("aria-busy", "true");
  ui.status.textContent = t("Loading…");
  history.replaceState(null, "", location.pathname + (days === RANGES[0] ? "" : "?days=" + days));
  fetchJSON("/api/analytics?days=" + days).then((res) => {
    if (mine !== state.request) return; // a newer range was picked meanwhile
    ui.main.removeAttribute("aria-busy");
    if (res.status === 401) {
      location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search));
      return;
    }
    if (res.status !== 200 || !res.body || !res.body.ok) {
      const message = res.body && res.body.error ? res.body.error.message : t("The figures could not be loaded.");
      ui.error.textContent = t("%(error)s Pick the period again to retry.", { error: message });
      ui.error.hidden = false;
      ui.status.textContent = "";
      return;
    }
    ui.error.hidden = true;
    render(res.body);
    ui.status.textContent = t("Updated %(time)s", { time: formatTime(new Date().toISOString()) });
  });
}

function redrawAll() {
  draw(figures.perDay);
  draw(figures.split);
}

ui.ranges.forEach((button) => button.addEventListener("click", () => load(Number(button.dataset.days))));
if (window.ResizeObserver) {
  const resized = new ResizeObserver(redrawAll);
  resized.observe(figures.perDay);
  resized.observe(figures.split);
} else {
  window.addEventListener("resize", redrawAll);
}
// Moving the window to a screen with another pixel ratio: redraw at the new resolution.
(function watchRatio() {
  const query = window.matchMedia("(resolution: " + (window.devicePixelRatio || 1) + "dppx)");
  query.addEventListener("change", () => {
    redrawAll();
    watchRatio();
  }, { once: true });
})();

load(state.days);
