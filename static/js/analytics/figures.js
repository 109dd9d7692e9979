/* The analytics figures: the stat cards, the two charts with their tables, models, reasons, ratings. */
import { byId, dateOnly, el, numberFormat } from "../shared/dom.js";
import { cssColor, draw } from "./charts.js";

const percentFormat = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 0 });
const dayFormat = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });
const longDayFormat = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short" });

export const ui = {
  perDay: byId("chart-per-day"),
  perDayTable: byId("table-per-day"),
  split: byId("chart-split"),
  splitTable: byId("table-split"),
  models: byId("models-table"),
  modelsEmpty: byId("models-empty"),
  reasons: byId("reasons-list"),
  reasonsEmpty: byId("reasons-empty"),
  ratings: byId("ratings-list"),
  comments: byId("comments-list"),
  commentsEmpty: byId("comments-empty"),
};

/* ---------- formatting ---------- */

function count(n, one, many) {
  return numberFormat.format(n) + " " + (n === 1 ? one : many);
}

function share(part, total) {
  return total ? percentFormat.format(part / total) : "—";
}

/** Seconds as a number of minutes: "0.5", "12", "< 0.1"; "—" when unknown. */
function minutes(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  const value = seconds / 60;
  if (value < 0.05) return "< 0.1";
  return value < 10 ? value.toFixed(1) : Math.round(value).toString();
}

function latency(ms) {
  if (ms === null || ms === undefined) return "—";
  return ms < 1000 ? numberFormat.format(Math.round(ms)) + " ms" : (ms / 1000).toFixed(1) + " s";
}



/* ---------- the figures ---------- */

export function render(data) {
  renderStats(data);
  renderPerDay(data);
  renderSplit(data);
  renderModels(data.models || {});
  renderReasons(data.top_escalation_reasons || []);
  renderRatings(data.ratings || {});
}

/** A card's figure; a unit ("min", "/ 5") is set smaller after it. */
function setStat(name, value, detail, unit) {
  const figure = byId("stat-" + name);
  figure.textContent = value;
  if (unit && value !== "—") figure.append(el("span", "stat__unit", unit));
  byId("stat-" + name + "-detail").textContent = detail;
}

function renderStats(data) {
  const total = data.chats || 0;
  const perDay = total / (data.days || 1);
  setStat("chats", numberFormat.format(total), "about " + perDay.toFixed(perDay < 10 ? 1 : 0) + " a day");
  setStat("resolved", share(data.resolved_by_ai, total),
    count(data.resolved_by_ai || 0, "chat", "chats") + " without an advisor");
  setStat("escalated", share(data.escalated, total),
    count(data.escalated || 0, "chat", "chats") + " handed to an advisor");
  const reply = data.first_human_reply_seconds || {};
  setStat("reply", minutes(reply.median),
    reply.count ? "median · p90 " + minutes(reply.p90) + " min · " + count(reply.count, "reply", "replies")
      : "no hand-off answered yet", " min");
  const bookings = data.bookings || { made: 0, cancelled: 0 };
  setStat("bookings", numberFormat.format(bookings.made),
    "booked · " + numberFormat.format(bookings.cancelled) + " cancelled");
  const ratings = data.ratings || {};
  setStat("rating", ratings.average === null || ratings.average === undefined ? "—" : ratings.average.toFixed(1),
    ratings.count ? "from " + count(ratings.count, "rating", "ratings") : "no ratings yet", " / 5");
}

function renderPerDay(data) {
  const days = data.chats_per_day || [];
  const labels = days.map((d) => { const day = dateOnly(d.date); return day ? dayFormat.format(day) : d.date; });
  const values = days.map((d) => d.chats);
  const busiest = days.reduce((best, d) => (!best || d.chats > best.chats ? d : best), null);
  const nonZero = days.filter((d) => d.chats > 0)
    .map((d) => { const day = dateOnly(d.date); return (day ? dayFormat.format(day) : d.date) + ": " + d.chats; });
  ui.perDay.setAttribute("aria-label", "Bar chart of chats per day over the last " + days.length + " days. " +
    "Total " + numberFormat.format(data.chats || 0) + "." +
    (busiest && busiest.chats ? " Busiest day " + labels[days.indexOf(busiest)] + " with " + busiest.chats + "."
      : "") +
    (nonZero.length ? " Days with chats: " + nonZero.join(", ") + "." : " No chats."));
  fillTable(ui.perDayTable, days.map((d) => {
    const day = dateOnly(d.date);
    return [day ? longDayFormat.format(day) : d.date, numberFormat.format(d.chats)];
  }));
  ui.perDay.chart = { labels: labels, values: values, colors: [cssColor("--teal-700")], yTitle: "Chats",
    empty: "No chats in this period" };
  draw(ui.perDay);
}

function renderSplit(data) {
  const total = data.chats || 0;
  const rows = [["Resolved by the AI", data.resolved_by_ai || 0], ["Escalated", data.escalated || 0]];
  const spoken = rows.map((r) => r[0] + " " + r[1] + " (" + share(r[1], total) + ")").join(", ");
  ui.split.setAttribute("aria-label", "Bar chart: " + spoken + " of " + count(total, "chat", "chats") + ".");
  fillTable(ui.splitTable, rows.map((r) => [r[0], numberFormat.format(r[1]), share(r[1], total)]));
  ui.split.chart = {
    labels: ["Resolved by AI", "Escalated"], values: rows.map((r) => r[1]),
    colors: [cssColor("--teal-700"), cssColor("--red-700")],
    valueLabels: rows.map((r) => numberFormat.format(r[1]) + (total ? " · " + share(r[1], total) : "")),
    yTitle: "Chats", empty: "No chats in this period",
  };
  draw(ui.split);
}

function fillTable(table, rows) {
  const body = table.tBodies[0];
  body.replaceChildren(...rows.map((cells) => {
    const tr = el("tr");
    cells.forEach((cell, i) => {
      const td = el(i === 0 ? "th" : "td", i === 0 ? null : "num", cell);
      if (i === 0) td.scope = "row";
      tr.append(td);
    });
    return tr;
  }));
}

function renderModels(models) {
  const names = Object.keys(models).sort((a, b) => (models[b].replies || 0) - (models[a].replies || 0));
  fillTable(ui.models, names.map((name) => {
    const m = models[name];
    return [m.label || name, numberFormat.format(m.replies || 0), numberFormat.format(m.calls || 0),
      m.error_rate === null || m.error_rate === undefined ? "—" : percentFormat.format(m.error_rate),
      latency(m.latency_ms_p50), latency(m.latency_ms_p90)];
  }));
  ui.models.hidden = names.length === 0;
  ui.modelsEmpty.hidden = names.length > 0;
}

/** One labelled bar per row; the bar's length is a custom property (CSSOM, so the CSP allows it). */
function barRow(label, value, max, text, tone) {
  const item = el("li", "bars__row");
  if (tone) item.dataset.tone = tone;
  const head = el("p", "bars__head");
  head.append(el("span", "bars__label", label), el("span", "bars__value", text));
  const track = el("span", "bars__track");
  track.setAttribute("aria-hidden", "true");
  const fill = el("span", "bars__fill");
  fill.style.setProperty("--share", String(max ? value / max : 0));
  track.append(fill);
  item.append(head, track);
  return item;
}

function renderReasons(reasons) {
  const max = reasons.reduce((m, r) => Math.max(m, r.count), 0);
  ui.reasons.replaceChildren(...reasons.map((r) => barRow(r.reason || "No reason given", r.count, max,
    count(r.count, "chat", "chats"))));
  ui.reasonsEmpty.hidden = reasons.length > 0;
}

function renderRatings(ratings) {
  const dist = ratings.distribution || {};
  const values = [5, 4, 3, 2, 1].map((n) => dist[String(n)] || 0);
  const max = Math.max(0, ...values);
  ui.ratings.replaceChildren(...[5, 4, 3, 2, 1].map((n, i) => {
    const row = barRow("★".repeat(n), values[i], max, count(values[i], "rating", "ratings"), "rating");
    row.querySelector(".bars__label").setAttribute("aria-label", n === 1 ? "1 star" : n + " stars");
    return row;
  }));
  const comments = (ratings.comments || []).slice().reverse();
  ui.comments.replaceChildren(...comments.map((text) => el("li", "comments__item", text)));
  ui.commentsEmpty.hidden = comments.length > 0;
}
