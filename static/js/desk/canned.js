/* Canned responses: "/" and a shortcut in the composer inserts one; a dialog manages them. */
import { byId, el } from "../shared/dom.js";
import { errorOf } from "../shared/protocol.js";
import { announce, api, bindDialog, ok, openDialog, state } from "./page.js";
import { fillComposer } from "./composer.js";
import { t } from "../shared/i18n.js";

const MAX_SUGGESTIONS = 6;
const ui = {
  input: byId("operator-input"),
  suggest: byId("canned-suggest"),
  dialog: byId("canned-dialog"),
  list: byId("canned-list"),
  empty: byId("canned-empty"),
  form: byId("canned-form"),
  formTitle: byId("canned-form-title"),
  shortcut: byId("canned-shortcut"),
  text: byId("canned-text"),
  error: byId("canned-error"),
  save: byId("canned-save"),
  cancelEdit: byId("canned-cancel-edit"),
};
const suggestion = { items: [], index: -1 };
let editing = null; // the id of the response being edited

export function applyCanned(list) {
  if (!Array.isArray(list)) return;
  state.canned = list.slice().sort((a, b) => (a.shortcut < b.shortcut ? -1 : 1));
  renderList();
  if (!ui.suggest.hidden) updateSuggestions();
}

function loadCanned() {
  return api("/canned").then((res) => { if (ok(res)) applyCanned(res.body.canned); });
}

/* ---------- suggestions in the composer ---------- */

/** "/" at the very start of the message, then the shortcut typed so far. */
export function updateSuggestions() {
  const typed = /^\/([\w-]*)$/.exec(ui.input.value);
  if (!typed || ui.input.disabled) {
    closeSuggestions();
    return;
  }
  const query = typed[1].toLowerCase();
  const starts = state.canned.filter((c) => c.shortcut.startsWith(query));
  const contains = state.canned.filter((c) => !c.shortcut.startsWith(query) && c.shortcut.includes(query));
  suggestion.items = starts.concat(contains).slice(0, MAX_SUGGESTIONS);
  suggestion.index = suggestion.items.length ? 0 : -1;
  const options = suggestion.items.map((canned, index) => {
    const option = el("li", "canned-suggest__option");
    option.id = "canned-option-" + canned.id;
    option.setAttribute("role", "option");
    option.dataset.index = String(index);
    option.append(el("span", "canned-suggest__shortcut", "/" + canned.shortcut), el("span", "canned-suggest__text", canned.text));
    return option;
  });
  if (!options.length) {
    const none = el("li", "canned-suggest__none",
      state.canned.length ? t("No canned response starts with /%(query)s.", { query }) : t("No canned responses yet."));
    none.setAttribute("role", "presentation");
    options.push(none);
  }
  ui.suggest.replaceChildren(...options);
  ui.suggest.hidden = false;
  highlight();
}

function highlight() {
  Array.from(ui.suggest.children).forEach((option) => {
    const on = option.dataset.index !== undefined && Number(option.dataset.index) === suggestion.index;
    option.setAttribute("aria-selected", String(on));
    if (on) option.scrollIntoView({ block: "nearest" });
  });
  const current = suggestion.items[suggestion.index];
  if (current) ui.input.setAttribute("aria-activedescendant", "canned-option-" + current.id);
  else ui.input.removeAttribute("aria-activedescendant");
}

export function closeSuggestions() {
  suggestion.items = [];
  suggestion.index = -1;
  ui.suggest.hidden = true;
  ui.suggest.replaceChildren();
  ui.input.removeAttribute("aria-activedescendant");
}

function insert(index) {
  const canned = suggestion.items[index];
  if (!canned) return;
  closeSuggestions();
  fillComposer(canned.text);
  announce(t("Inserted /%(shortcut)s. Press Enter to send.", { shortcut: canned.shortcut }));
}

/** Arrow keys move, Tab or Enter insert, Escape closes. True when the key was used. */
export function suggestionKey(event) {
  if (ui.suggest.hidden) return false;
  const count = suggestion.items.length;
  if (event.key === "Escape") {
    closeSuggestions();
  } else if ((event.key === "ArrowDown" || event.key === "ArrowUp") && count) {
    suggestion.index = (suggestion.index + (event.key === "ArrowDown" ? 1 : count - 1)) % count;
    highlight();
  } else if ((event.key === "Enter" || event.key === "Tab") && !event.shiftKey && count) {
    insert(suggestion.index);
  } else {
    return false;
  }
  event.preventDefault();
  return true;
}

/* ---------- the manager ---------- */

function openManager() {
  resetForm();
  loadCanned();
  openDialog(ui.dialog, ui.shortcut);
}

function renderList() {
  const items = state.canned.map((canned) => {
    const item = el("li", "canned-item");
    item.dataset.cannedId = String(canned.id);
    const text = el("div", "canned-item__main");
    text.append(el("p", "canned-item__shortcut", "/" + canned.shortcut), el("p", "canned-item__text", canned.text));
    const actions = el("div", "canned-item__actions");
    actions.append(itemButton(t("Edit"), "button--quiet", canned, () => edit(canned)),
      itemButton(t("Delete"), "button--danger", canned, (button) => remove(canned, button)));
    item.append(text, actions);
    return item;
  });
  ui.list.replaceChildren(...items);
  ui.empty.hidden = items.length > 0;
}

function itemButton(label, tone, canned, action) {
  const button = el("button", "button button--small " + tone, label);
  button.type = "button";
  button.setAttribute("aria-label", label + " /" + canned.shortcut);
  button.addEventListener("click", () => action(button));
  return button;
}

function resetForm() {
  editing = null;
  ui.form.reset();
  ui.error.textContent = "";
  ui.formTitle.textContent = t("New canned response");
  ui.save.textContent = t("Add response");
  ui.cancelEdit.hidden = true;
}

function edit(canned) {
  editing = canned.id;
  ui.shortcut.value = canned.shortcut;
  ui.text.value = canned.text;
  ui.error.textContent = "";
  ui.formTitle.textContent = t("Edit /%(shortcut)s", { shortcut: canned.shortcut });
  ui.save.textContent = t("Save changes");
  ui.cancelEdit.hidden = false;
  ui.shortcut.focus();
}

function save() {
  const shortcut = ui.shortcut.value.trim().replace(/^\//, "");
  const text = ui.text.value.trim();
  if (!shortcut || !text) {
    ui.error.textContent = !shortcut ? t("Give the response a shortcut.") : t("Write the text to insert.");
    (!shortcut ? ui.shortcut : ui.text).focus();
    return;
  }
  const id = editing;
  ui.save.disabled = true;
  ui.error.textContent = "";
  const path = id ? "/canned/" + encodeURIComponent(id) : "/canned";
  api(path, { method: id ? "PUT" : "POST", json: { shortcut, text } }).then((res) => {
    ui.save.disabled = false;
    if (ok(res)) {
      announce((id ? t("Saved /%(shortcut)s.", { shortcut: res.body.canned.shortcut }) : t("Added /%(shortcut)s.", { shortcut: res.body.canned.shortcut })));
      resetForm();
      loadCanned();
      ui.shortcut.focus();
    } else if (res.status !== 401) {
      ui.error.textContent = errorOf(res.body).message;
    }
  });
}

function remove(canned, button) {
  if (!window.confirm(t("Delete the canned response /%(shortcut)s?", { shortcut: canned.shortcut }))) return;
  button.disabled = true;
  api("/canned/" + encodeURIComponent(canned.id), { method: "DELETE" }).then((res) => {
    button.disabled = false;
    if (ok(res)) {
      if (editing === canned.id) resetForm();
      announce(t("Deleted /%(shortcut)s.", { shortcut: canned.shortcut }));
      loadCanned();
      ui.shortcut.focus();
    } else if (res.status !== 401) {
      ui.error.textContent = errorOf(res.body).message;
    }
  });
}

// A press on an option would blur the composer (and close the list) before the click.
ui.suggest.addEventListener("mousedown", (event) => event.preventDefault());
ui.suggest.addEventListener("click", (event) => {
  const option = event.target.closest("[role=option]");
  if (option) insert(Number(option.dataset.index));
});
byId("canned-manage").addEventListener("click", openManager);
byId("knowledge-canned").addEventListener("click", openManager);
ui.form.addEventListener("submit", (event) => {
  event.preventDefault();
  save();
});
ui.cancelEdit.addEventListener("click", () => {
  resetForm();
  ui.shortcut.focus();
});
bindDialog(ui.dialog);
