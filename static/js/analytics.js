/* Analytics page: the figures from GET /api/analytics, with bar charts drawn on <canvas>. */
(function () {
  "use strict";

  const H = window.Havana;
  const el = H.el;
  const RANGES = [14, 30, 90];
  const numberFormat = new Intl.NumberFormat();
  const percentFormat = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 0 });
  const dayFormat = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });
  const longDayFormat = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short" });

  const byId = (id) => document.getElementById(id);
  const ui = {
    main: byId("analytics"),
    title: byId("range-title"),
    ranges: document.querySelectorAll("[data-days]"),
    status: byId("analytics-status"),
    error: byId("analytics-error"),
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

  const state = { days: initialDays(), data: null, request: 0 };

  function initialDays() {
    const days = Number(new URLSearchParams(location.search).get("days"));
    return RANGES.includes(days) ? days : RANGES[0];
  }

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

  function dayOf(iso) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
  }

  function cssColor(name, fallback) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
  }

  /* ---------- loading ---------- */

  function load(days) {
    state.days = days;
    const mine = ++state.request;
    ui.ranges.forEach((b) => b.setAttribute("aria-pressed", String(Number(b.dataset.days) === days)));
    ui.title.textContent = "The last " + days + " days";
    ui.main.setAttribute("aria-busy", "true");
    ui.status.textContent = "Loading…";
    history.replaceState(null, "", location.pathname + (days === RANGES[0] ? "" : "?days=" + days));
    H.fetchJSON("/api/analytics?days=" + days).then((res) => {
      if (mine !== state.request) return; // a newer range was picked meanwhile
      ui.main.removeAttribute("aria-busy");
      if (res.status === 401) {
        location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search));
        return;
      }
      if (res.status !== 200 || !res.body || !res.body.ok) {
        const message = res.body && res.body.error ? res.body.error.message : "The figures could not be loaded.";
        ui.error.textContent = message + " Pick the period again to retry.";
        ui.error.hidden = false;
        ui.status.textContent = "";
        return;
      }
      ui.error.hidden = true;
      state.data = res.body;
      render(res.body);
      ui.status.textContent = "Updated " + H.formatTime(new Date().toISOString());
    });
  }

  /* ---------- the figures ---------- */

  function render(data) {
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
    const labels = days.map((d) => { const day = dayOf(d.date); return day ? dayFormat.format(day) : d.date; });
    const values = days.map((d) => d.chats);
    const busiest = days.reduce((best, d) => (!best || d.chats > best.chats ? d : best), null);
    const nonZero = days.filter((d) => d.chats > 0)
      .map((d) => { const day = dayOf(d.date); return (day ? dayFormat.format(day) : d.date) + ": " + d.chats; });
    ui.perDay.setAttribute("aria-label", "Bar chart of chats per day over the last " + days.length + " days. " +
      "Total " + numberFormat.format(data.chats || 0) + "." +
      (busiest && busiest.chats ? " Busiest day " + labels[days.indexOf(busiest)] + " with " + busiest.chats + "."
        : "") +
      (nonZero.length ? " Days with chats: " + nonZero.join(", ") + "." : " No chats."));
    fillTable(ui.perDayTable, days.map((d) => {
      const day = dayOf(d.date);
      return [day ? longDayFormat.format(day) : d.date, numberFormat.format(d.chats)];
    }));
    ui.perDay.chart = { labels: labels, values: values, colors: [cssColor("--teal-700", "#0f6e68")], yTitle: "Chats",
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
      colors: [cssColor("--teal-700", "#0f6e68"), cssColor("--red-700", "#b42318")],
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

  /* ---------- bar charts on <canvas> ---------- */

  /** A "nice" axis step (1, 2 or 5 times a power of ten) for about `ticks` lines up to max. */
  function niceStep(max, ticks) {
    const raw = Math.max(max, 1) / ticks;
    const power = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
    return Math.max(1, step);
  }

  /** Draw canvas.chart at the canvas's CSS size times the device pixel ratio, so it stays crisp. */
  function draw(canvas) {
    const chart = canvas.chart;
    if (!chart) return;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (!width || !height) return;
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);

    const font = getComputedStyle(document.body).fontFamily;
    const ink = cssColor("--ink-600", "#4d5666");
    const grid = cssColor("--sand-200", "#e7e1d6");
    const max = Math.max(0, ...chart.values);
    const step = niceStep(max, 4);
    const top = Math.max(step, Math.ceil(max / step) * step);

    ctx.font = "12px " + font;
    const yLabelWidth = Math.max(...[0, top].map((v) => ctx.measureText(numberFormat.format(v)).width));
    const pad = { left: Math.ceil(yLabelWidth) + 14, right: 8, top: chart.valueLabels ? 28 : 22, bottom: 26 };
    const plotW = Math.max(10, width - pad.left - pad.right);
    const plotH = Math.max(10, height - pad.top - pad.bottom);
    const y = (v) => pad.top + plotH - (v / top) * plotH;

    // y axis: title, grid lines and their numbers
    ctx.fillStyle = ink;
    ctx.textBaseline = "alphabetic";
    ctx.textAlign = "left";
    ctx.fillText(chart.yTitle, 0, 12);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    ctx.lineWidth = 1;
    for (let v = 0; v <= top; v += step) {
      const lineY = Math.round(y(v)) + 0.5; // half pixels keep one-pixel lines sharp
      ctx.strokeStyle = v === 0 ? ink : grid;
      ctx.beginPath();
      ctx.moveTo(pad.left, lineY);
      ctx.lineTo(width - pad.right, lineY);
      ctx.stroke();
      ctx.fillText(numberFormat.format(v), pad.left - 6, lineY);
    }

    // bars, and x labels thinned out so they never overlap
    const n = chart.values.length;
    const slot = plotW / Math.max(n, 1);
    const barW = Math.max(1, Math.min(slot * 0.7, 56));
    const widest = Math.max(...chart.labels.map((l) => ctx.measureText(l).width), 1);
    const every = Math.max(1, Math.ceil((widest + 10) / slot));
    const xLabels = [];
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    chart.values.forEach((value, i) => {
      const x = pad.left + slot * i + (slot - barW) / 2;
      ctx.fillStyle = chart.colors[i % chart.colors.length];
      const barTop = y(value);
      if (value > 0) roundedTop(ctx, x, barTop, barW, pad.top + plotH - barTop, Math.min(4, barW / 2));
      if (chart.valueLabels) {
        ctx.fillStyle = cssColor("--ink-900", "#18212f");
        ctx.textBaseline = "bottom";
        ctx.font = "600 12px " + font;
        ctx.fillText(chart.valueLabels[i], x + barW / 2, barTop - 4);
        ctx.font = "12px " + font;
        ctx.textBaseline = "top";
      }
      if ((n - 1 - i) % every === 0) xLabels.push({ text: chart.labels[i], x: x + barW / 2 }); // always the latest
    });

    // Right to left, kept inside the canvas; a label that would touch its right-hand neighbour is left out.
    let leftEdge = Infinity;
    ctx.fillStyle = ink;
    xLabels.reverse().forEach((label) => {
      const half = ctx.measureText(label.text).width / 2;
      const at = Math.min(Math.max(label.x, half), width - half);
      if (at + half > leftEdge - 8) return;
      ctx.fillText(label.text, at, pad.top + plotH + 6);
      leftEdge = at - half;
    });

    if (max === 0) {
      ctx.fillStyle = ink;
      ctx.textBaseline = "middle";
      ctx.font = "14px " + font;
      ctx.fillText(chart.empty, pad.left + plotW / 2, pad.top + plotH / 2);
    }
  }

  function roundedTop(ctx, x, top, w, h, r) {
    ctx.beginPath();
    ctx.moveTo(x, top + h);
    ctx.lineTo(x, top + r);
    ctx.quadraticCurveTo(x, top, x + r, top);
    ctx.lineTo(x + w - r, top);
    ctx.quadraticCurveTo(x + w, top, x + w, top + r);
    ctx.lineTo(x + w, top + h);
    ctx.closePath();
    ctx.fill();
  }

  function redrawAll() {
    draw(ui.perDay);
    draw(ui.split);
  }

  /* ---------- wiring ---------- */

  ui.ranges.forEach((button) => button.addEventListener("click", () => load(Number(button.dataset.days))));
  if (window.ResizeObserver) {
    const resized = new ResizeObserver(redrawAll);
    resized.observe(ui.perDay);
    resized.observe(ui.split);
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
})();
