/* The analytics figures: the stat cards, the two charts with their tables, models, reasons, ratings. */
import { byId, dateOnly, el, numberFormat } from "../shared/dom.js";
import { cssColor, draw } from "./charts.js";
import { lang, t, tn } from "../shared/i18n.js";

const percentFormat = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 });
const dayFormat = new Intl.DateTimeFormat(lang, { day: "numeric", month: "short" });
const longDayFormat = new Intl.DateTimeFormat(lang, { weekday: "short", day: "numeric", month: "short" });

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

const chats = (n) => tn("%(n)s chat", "%(n)s chats", n, { n: numberFormat.format(n) });
const replyCount = (n) => tn("%(n)s reply", "%(n)s replies", n, { n: numberFormat.format(n) });
const ratingsCount = (n) => tn("%(n)s rating", "%(n)s ratings", n, { n: numberFormat.format(n) });

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
  const daily = new Intl.NumberFormat(lang, { maximumFractionDigits: perDay < 10 ? 1 : 0 }).format(perDay);
  setStat("chats", numberFormat.format(total), t("about %(n)s a day", { n: daily }));
  setStat("resolved", share(data.resolved_by_ai, total),
    t("%(chats)s without an advisor", { chats: chats(data.resolved_by_ai || 0) }));
  setStat("escalated", share(data.escalated, total),
    t("%(chats)s handed to an advisor", { chats: chats(data.escalated || 0) }));
  const reply = data.first_human_reply_seconds || {};
  setStat("reply", minutes(reply.median),
    reply.count ? t("median · p90 %(p90)s min · %(replies)s", { p90: minutes(reply.p90), replies: replyCount(reply.count) })
      : t("no hand-off answered yet"), t(" min"));
  const bookings = data.bookings || { made: 0, cancelled: 0 };
  setStat("bookings", numberFormat.format(bookings.made),
    t("booked · %(n)s cancelled · %(attended)s attended · %(no_show)s no-shows", {
      n: numberFormat.format(bookings.cancelled), attended: numberFormat.format(bookings.attended || 0),
      no_show: numberFormat.format(bookings.no_show || 0) }));
  const mails = data.mails || { sent: 0, failed: 0, queued: 0 };
  setStat("mails", numberFormat.format(mails.sent),
    t("%(failed)s failed · %(queued)s waiting", { failed: numberFormat.format(mails.failed),
                                                   queued: numberFormat.format(mails.queued) }));
  const ratings = data.ratings || {};
  setStat("rating", ratings.average === null || ratings.average === undefined ? "—" : ratings.average.toFixed(1),
    ratings.count ? t("from %(ratings)s", { ratings: ratingsCount(ratings.count) }) : t("no ratings yet"), " / 5");
}

function renderPerDay(data) {
  const days = data.chats_per_day || [];
  const labels = days.map((d) => { const day = dateOnly(d.date); return day ? dayFormat.format(day) : d.date; });
  const values = days.map((d) => d.chats);
  const busiest = days.reduce((best, d) => (!best || d.chats > best.chats ? d : best), null);
  const nonZero = days.filter((d) => d.chats > 0)
    .map((d) => { const day = dateOnly(d.date); return (day ? dayFormat.format(day) : d.date) + ": " + d.chats; });
  ui.perDay.setAttribute("aria-label", [
    t("Bar chart of chats per day over the last %(n)s days.", { n: days.length }),
    t("Total %(n)s.", { n: numberFormat.format(data.chats || 0) }),
    busiest && busiest.chats ? t("Busiest day %(day)s with %(n)s.", { day: labels[days.indexOf(busiest)], n: busiest.chats }) : "",
    nonZero.length ? t("Days with chats: %(days)s.", { days: nonZero.join(", ") }) : t("No chats."),
  ].filter(Boolean).join(" "));
  fillTable(ui.perDayTable, days.map((d) => {
    const day = dateOnly(d.date);
    return [day ? longDayFormat.format(day) : d.date, numberFormat.format(d.chats)];
  }));
  ui.perDay.chart = { labels: labels, values: values, colors: [cssColor("--teal-700")], yTitle: t("Chats"),
    empty: t("No chats in this period") };
  draw(ui.perDay);
}

function renderSplit(data) {
  const total = data.chats || 0;
  const rows = [[t("Resolved by the AI"), data.resolved_by_ai || 0], [t("Escalated"), data.escalated || 0]];
  const spoken = rows.map((r) => r[0] + " " + r[1] + " (" + share(r[1], total) + ")").join(", ");
  ui.split.setAttribute("aria-label", t("Bar chart: %(bars)s of %(chats)s.", { bars: spoken, chats: chats(total) }));
  fillTable(ui.splitTable, rows.map((r) => [r[0], numberFormat.format(r[1]), share(r[1], total)]));
  ui.split.chart = {
    labels: [t("Resolved by AI"), t("Escalated")], values: rows.map((r) => r[1]),
    colors: [cssColor("--teal-700"), cssColor("--red-700")],
    valueLabels: rows.map((r) => numberFormat.format(r[1]) + (total ? " · " + share(r[1], total) : "")),
    yTitle: t("Chats"), empty: t("No chats in this period"),
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
  ui.reasons.replaceChildren(...reasons.map((r) => barRow(r.reason || t("No reason given"), r.count, max,
    chats(r.count))));
  ui.reasonsEmpty.hidden = reasons.length > 0;
}

function renderRatings(ratings) {
  const dist = ratings.distribution || {};
  const values = [5, 4, 3, 2, 1].map((n) => dist[String(n)] || 0);
  const max = Math.max(0, ...values);
  ui.ratings.replaceChildren(...[5, 4, 3, 2, 1].map((n, i) => {
    const row = barRow("★".repeat(n), values[i], max, ratingsCount(values[i]), "rating");
    row.querySelector(".bars__label").setAttribute("aria-label", tn("%(n)s star", "%(n)s stars", n));
    return row;
  }));
  const comments = (ratings.comments || []).slice().reverse();
  ui.comments.replaceChildren(...comments.map((text) => el("li", "comments__item", text)));
  ui.commentsEmpty.hidden = comments.length > 0;
}
