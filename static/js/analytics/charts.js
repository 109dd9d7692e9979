/* Bar charts drawn on <canvas>, crisp at any pixel ratio; colours come from the CSS tokens. */
import { numberFormat } from "../shared/dom.js";

/** A colour token's value (tokens.css), read when drawing. */
export function cssColor(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}


/** A "nice" axis step (1, 2 or 5 times a power of ten) for about `ticks` lines up to max. */
function niceStep(max, ticks) {
  const raw = Math.max(max, 1) / ticks;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  return Math.max(1, step);
}

/** Draw canvas.chart at the canvas's CSS size times the device pixel ratio, so it stays crisp. */
export function draw(canvas) {
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
  const ink = cssColor("--ink-600");
  const grid = cssColor("--sand-200");
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
      ctx.fillStyle = cssColor("--ink-900");
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
