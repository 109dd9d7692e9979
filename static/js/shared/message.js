/* One message as an <li>, as the student or the desk sees it. Every string goes in as text. */
import { el, formatTime } from "./dom.js";
import { ROLE } from "./protocol.js";
import { t } from "./i18n.js";

const ROLES = Object.values(ROLE);
const DESK_ROLE_TEXT = { [ROLE.STUDENT]: t("Student"), [ROLE.AI]: t("AI"), [ROLE.OPERATOR]: t("Advisor") };
const ADVISOR = t("Admissions advisor");

/** Who wrote it, for the student: never an advisor's account name, only their display name. */
function studentAuthor(msg) {
  // The server's labels ("Offline assistant", the default advisor name) are in the catalog too.
  if (msg.role === ROLE.AI) return msg.model_label ? t(msg.model_label) : t("Assistant");
  if (msg.role === ROLE.OPERATOR) return msg.author_name ? t(msg.author_name) : ADVISOR;
  return t("You");
}

/** Advisors need to see who wrote every message: a role tag, then the model or the advisor. */
function deskAuthor(msg) {
  const who = el("p", "msg__who");
  who.append(el("span", "role-tag", DESK_ROLE_TEXT[msg.role]));
  if (msg.role === ROLE.AI && msg.model_label) who.append(el("span", "model-tag", t(msg.model_label)));
  const by = msg.author || msg.author_name;
  if (msg.role === ROLE.OPERATOR && by) who.append(el("span", "msg__by", by));
  return who;
}

/**
 * options.perspective: "student" (default) or "desk". The viewer's own side gets .msg--own
 * (right-hand): the student's messages for the student, the assistant's and advisors' for the desk.
 */
export function renderMessage(msg, options) {
  const perspective = (options && options.perspective) || "student";
  const role = ROLES.includes(msg.role) ? msg.role : ROLE.SYSTEM;
  const item = el("li", "msg msg--" + role);
  item.dataset.role = role;
  if (msg.id !== undefined && msg.id !== null) item.dataset.id = String(msg.id);
  if (msg.client_id) item.dataset.clientId = msg.client_id;

  const time = el("time", "msg__time", formatTime(msg.created_at));
  if (msg.created_at) time.dateTime = msg.created_at;

  if (role === ROLE.SYSTEM) {
    const notice = el("p", "msg__notice", msg.message);
    if (time.textContent) notice.append(" · ", time);
    item.append(notice);
    return item;
  }

  const own = perspective === "desk" ? role !== ROLE.STUDENT : role === ROLE.STUDENT;
  item.classList.add(own ? "msg--own" : "msg--other");
  const author = perspective === "desk" ? deskAuthor(msg) : el("p", "msg__author", studentAuthor(msg));
  item.append(author, el("div", "msg__bubble", msg.message));
  if (role === ROLE.AI && typeof msg.source === "string" && msg.source.trim()) {
    item.append(el("p", "msg__source", t("Source: %(source)s", { source: msg.source.trim() })));
  }
  const meta = el("p", "msg__meta");
  meta.append(time);
  item.append(meta);
  return item;
}

/**
 * An outgoing message's state under its bubble: "Sending…", a retry note, or a failure with a
 * Retry button (onRetry) when `failed`.
 */
export function showOutgoingState(node, { text, failed, onRetry }) {
  node.classList.toggle("msg--pending", !failed);
  node.classList.toggle("msg--failed", Boolean(failed));
  const meta = node.querySelector(".msg__meta");
  meta.querySelectorAll(".msg__status, .msg__retry").forEach((child) => child.remove());
  meta.append(el("span", "msg__status", text));
  if (failed && onRetry) {
    const retry = el("button", "msg__retry", t("Retry"));
    retry.type = "button";
    retry.setAttribute("aria-label", t("Retry sending this message"));
    retry.addEventListener("click", onRetry);
    meta.append(retry);
  }
}
