/* One message as an <li>, as the student or the desk sees it. Every string goes in as text. */
import { el, formatTime } from "./dom.js";
import { ROLE } from "./protocol.js";

const ROLES = Object.values(ROLE);
const DESK_ROLE_TEXT = { [ROLE.STUDENT]: "Student", [ROLE.AI]: "AI", [ROLE.OPERATOR]: "Advisor" };
const ADVISOR = "Admissions advisor";

/** Who wrote it, for the student: never an advisor's account name, only their display name. */
function studentAuthor(msg) {
  if (msg.role === ROLE.AI) return msg.model_label || "Assistant";
  if (msg.role === ROLE.OPERATOR) return msg.author_name || ADVISOR;
  return "You";
}

/** Advisors need to see who wrote every message: a role tag, then the model or the advisor. */
function deskAuthor(msg) {
  const who = el("p", "msg__who");
  who.append(el("span", "role-tag", DESK_ROLE_TEXT[msg.role]));
  if (msg.role === ROLE.AI && msg.model_label) who.append(el("span", "model-tag", msg.model_label));
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
    item.append(el("p", "msg__source", "Source: " + msg.source.trim()));
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
    const retry = el("button", "msg__retry", "Retry");
    retry.type = "button";
    retry.setAttribute("aria-label", "Retry sending this message");
    retry.addEventListener("click", onRetry);
    meta.append(retry);
  }
}
