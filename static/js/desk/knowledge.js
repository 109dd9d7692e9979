/* Answers learned from advisors (save, review, approve) and the questions that led to hand-offs. */
import { byId, el, formatTime, numberFormat } from "../shared/dom.js";
import { errorOf } from "../shared/protocol.js";
import { announce, api, bindDialog, chatName, notice, ok, openDialog, state } from "./page.js";
import { questionBefore, thread } from "./chat-view.js";
import { t, tn } from "../shared/i18n.js";

const EMPTY = {
  pending: t("No answers waiting for review. Use “Save as answer” on an advisor's message to add one."),
  approved: t("No approved answers yet. Approved answers are what the assistant learns from advisors."),
  gaps: t("No questions have led to a hand-off yet."),
};
const INTRO = {
  pending: t("Answers saved by advisors. Approve one and the assistant uses it for the same question."),
  approved: t("The assistant uses these answers when a student asks the same question."),
  gaps: t("Questions that led to a hand-off, grouped. Answer them to teach the assistant."),
};
const ui = {
  views: document.querySelectorAll("[data-knowledge-view]"),
  tabPending: byId("tab-pending-count"),
  pending: byId("knowledge-pending-count"),
  intro: byId("knowledge-intro"),
  list: byId("knowledge-list"),
  gaps: byId("gaps-list"),
  empty: byId("knowledge-empty"),
  dialog: byId("answer-dialog"),
  form: byId("answer-form"),
  title: byId("answer-dialog-title"),
  question: byId("answer-question"),
  answer: byId("answer-text"),
  error: byId("answer-error"),
  save: byId("answer-save"),
};
const editing = { mode: null, id: null, sourceId: null };

export function loadKnowledge() {
  return api("/knowledge").then((res) => { if (ok(res)) applyAnswers(res.body.answers); });
}

/** knowledge_changed or a fresh load: every answer, every status. */
export function applyAnswers(answers) {
  if (!Array.isArray(answers)) return;
  state.answers = answers;
  const pending = answers.filter((a) => a.status === "pending").length;
  [ui.tabPending, ui.pending].forEach((badge) => {
    badge.textContent = numberFormat.format(pending);
    badge.hidden = pending === 0;
    badge.setAttribute("aria-label", pending + " pending");
  });
  renderKnowledge();
  refreshSaveActions();
}

/** The gaps change with every escalation; reload them when they are on screen. */
export function gapsChanged() {
  if (state.gaps !== null && state.knowledgeView === "gaps") loadGaps();
}

export function loadGaps() {
  ui.list.setAttribute("aria-busy", "true");
  return api("/knowledge/gaps").then((res) => {
    ui.list.removeAttribute("aria-busy");
    if (ok(res)) state.gaps = res.body.gaps;
    else if (state.gaps === null) state.gaps = [];
    renderKnowledge();
  });
}

function setView(name) {
  state.knowledgeView = name;
  ui.views.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.knowledgeView === name)));
  renderKnowledge();
  if (name === "gaps") loadGaps();
}

export function renderKnowledge() {
  const name = state.knowledgeView;
  const gaps = name === "gaps";
  ui.intro.textContent = INTRO[name];
  ui.list.hidden = gaps;
  ui.gaps.hidden = !gaps;
  let count;
  if (gaps) {
    const list = state.gaps || [];
    ui.gaps.replaceChildren(...list.map(renderGap));
    count = state.gaps === null ? 1 : list.length; // still loading: no "empty" yet
  } else {
    const list = (state.answers || []).filter((a) => a.status === name)
      .sort((a, b) => String(b.updated_at).localeCompare(String(a.updated_at)));
    ui.list.replaceChildren(...list.map(renderAnswer));
    count = state.answers === null ? 1 : list.length;
  }
  ui.empty.textContent = EMPTY[name];
  ui.empty.hidden = count > 0;
}

function renderAnswer(answer) {
  const item = el("li", "answer");
  item.dataset.answerId = String(answer.id);
  item.dataset.status = answer.status;
  const question = el("p", "answer__question");
  question.append(el("span", "answer__label", t("Q")), el("span", null, answer.question));
  const text = el("p", "answer__text");
  text.append(el("span", "answer__label", t("A")), el("span", null, answer.answer));
  const meta = el("p", "answer__meta");
  const badge = el("span", "answer__status", answer.status === "approved" ? t("Approved") : t("Pending review"));
  badge.dataset.status = answer.status;
  const time = el("time", null, formatTime(answer.updated_at));
  time.dateTime = answer.updated_at || "";
  meta.append(badge, time);
  const actions = el("div", "answer__actions");
  if (answer.status !== "approved") actions.append(answerButton(t("Approve"), "approve", answer, "button--primary"));
  actions.append(answerButton(t("Edit"), "edit", answer, "button--quiet"), answerButton(t("Delete"), "delete", answer, "button--danger"));
  item.append(question, text, meta, actions);
  return item;
}

function answerButton(label, action, answer, tone) {
  const button = el("button", "button button--small " + tone, label);
  button.type = "button";
  button.dataset.answerAction = action;
  button.setAttribute("aria-label", t("%(action)s the answer to “%(question)s”", { action: label, question: answer.question }));
  button.addEventListener("click", () => answerAction(action, answer, button));
  return button;
}

function renderGap(gap) {
  const item = el("li", "gap");
  const head = el("p", "gap__question");
  head.append(el("span", null, gap.question),
    el("span", "count-badge gap__count", tn("%(n)s chat", "%(n)s chats", gap.count, { n: numberFormat.format(gap.count) })));
  item.append(head);
  const others = Array.from(new Set(gap.examples || [])).filter((q) => q !== gap.question);
  if (others.length) {
    const examples = el("ul", "gap__examples");
    examples.setAttribute("aria-label", t("Also asked as"));
    others.forEach((q) => examples.append(el("li", null, q)));
    item.append(examples);
  }
  const actions = el("div", "answer__actions");
  const chatId = (gap.chat_ids || [])[0];
  if (chatId) {
    const open = el("button", "button button--small button--quiet", t("Open chat"));
    open.type = "button";
    open.dataset.openChat = chatId;
    open.setAttribute("aria-label", t("Open %(chat)s, where this was asked", { chat: chatName(chatId) }));
    actions.append(open);
  }
  const write = el("button", "button button--small button--primary", t("Write answer"));
  write.type = "button";
  write.addEventListener("click", () => openAnswerDialog("create", { question: gap.question }));
  actions.append(write);
  item.append(actions);
  return item;
}

/* ---------- "Save as answer" on an advisor's message ---------- */

/** The action under an advisor's message; once saved it says so instead. */
export function saveAnswerAction(messageId) {
  const saved = (state.answers || []).some((answer) => answer.source_message_id === messageId);
  if (saved) {
    const done = el("span", "msg__saved", t("Saved as answer"));
    done.dataset.savedAnswer = String(messageId);
    return done;
  }
  const button = el("button", "msg__action", t("Save as answer"));
  button.type = "button";
  button.dataset.saveAnswer = String(messageId);
  button.setAttribute("aria-haspopup", "dialog");
  button.addEventListener("click", () => {
    const msg = thread.messages.get(messageId);
    if (msg) openAnswerDialog("create", { sourceId: messageId, question: questionBefore(messageId), answer: msg.message });
  });
  return button;
}

function refreshSaveActions() {
  thread.list.querySelectorAll("[data-save-answer], [data-saved-answer]").forEach((node) => {
    const fresh = saveAnswerAction(Number(node.dataset.saveAnswer || node.dataset.savedAnswer));
    if (fresh.className !== node.className) node.replaceWith(fresh);
  });
}

function openAnswerDialog(mode, values) {
  Object.assign(editing, { mode, id: values.id || null, sourceId: values.sourceId || null });
  ui.title.textContent = mode === "edit" ? t("Edit answer") : t("Save as answer");
  ui.save.textContent = mode === "edit" ? t("Save changes") : t("Save for review");
  ui.question.value = values.question || "";
  ui.answer.value = values.answer || "";
  ui.error.textContent = "";
  openDialog(ui.dialog, values.question ? ui.answer : ui.question);
}

function saveAnswer() {
  const question = ui.question.value.trim();
  const answer = ui.answer.value.trim();
  if (!question || !answer) {
    ui.error.textContent = !question ? t("Write the student's question.") : t("Write the answer.");
    (!question ? ui.question : ui.answer).focus();
    return;
  }
  const edit = editing.mode === "edit";
  const body = { question, answer };
  if (!edit && editing.sourceId) body.source_message_id = editing.sourceId;
  ui.save.disabled = true;
  ui.error.textContent = "";
  const sent = edit ? api("/knowledge/" + encodeURIComponent(editing.id), { method: "PATCH", json: body })
    : api("/knowledge", { method: "POST", json: body });
  sent.then((res) => {
    ui.save.disabled = false;
    if (ok(res)) {
      ui.dialog.close();
      announce(edit ? t("Answer saved.") : t("Answer saved. It waits in Knowledge for approval."));
      loadKnowledge();
    } else if (res.status !== 401) {
      ui.error.textContent = errorOf(res.body).message;
    }
  });
}

function answerAction(action, answer, button) {
  if (action === "edit") {
    openAnswerDialog("edit", { id: answer.id, question: answer.question, answer: answer.answer });
    return;
  }
  if (action === "delete" && !window.confirm(t("Delete this answer?\n\n“%(question)s”", { question: answer.question }))) return;
  button.disabled = true;
  const path = "/knowledge/" + encodeURIComponent(answer.id);
  const sent = action === "approve" ? api(path, { method: "PATCH", json: { status: "approved" } }) : api(path, { method: "DELETE" });
  sent.then((res) => {
    button.disabled = false;
    if (ok(res)) {
      announce(action === "approve" ? t("Approved. The assistant uses it from the next question.") : t("Answer deleted."));
      loadKnowledge();
    } else if (res.status !== 401) {
      notice.show((action === "approve" ? t("Could not approve the answer: %(error)s", { error: errorOf(res.body).message })
        : t("Could not delete the answer: %(error)s", { error: errorOf(res.body).message })));
    }
  });
}

ui.views.forEach((button) => button.addEventListener("click", () => setView(button.dataset.knowledgeView)));
ui.form.addEventListener("submit", (event) => {
  event.preventDefault();
  saveAnswer();
});
bindDialog(ui.dialog);
