/* The contact card: asked inside the conversation when a call is held for the student's details, or
   when the chat is handed off while no advisor is free. One open card at a time. */
import { el } from "../shared/dom.js";
import { EVENTS, errorOf } from "../shared/protocol.js";
import { announce, isJoined, thread, view } from "./page.js";
import { t } from "../shared/i18n.js";

const METHODS = [["video", t("Video call")], ["phone", t("Phone call")], ["whatsapp", t("WhatsApp")]];

let forms = 0; // ids for the labels of each card's fields
let current = null; // {node, done} for the open card
let contact = null; // the chat's saved contact, from the ack or contact_saved

export function resetContact(saved) {
  current = null;
  contact = saved || null;
}

/** contact_saved: remember it; an open card thanks the student (whoever filled it, card or chat). */
export function contactSaved(saved) {
  contact = saved || null;
  if (current && !current.done && contact) thank(current.node);
}

/** Ask for the details (`reason` "held": a call waits for them, with its label; "handoff"). */
export function askForContact(reason, label) {
  if (contact || (current && !current.done)) return;
  const card = renderCard(reason, label);
  current = { node: card, done: false };
  thread.addCard(card);
  announce(reason === "held" ? t("Add your name and e-mail to confirm the call.")
    : t("Leave your name and e-mail so an advisor can reach you."));
}

function field(n, name, label, type, options = {}) {
  const wrap = el("div", "contact__field");
  const labelNode = el("label", "field__label", label);
  labelNode.htmlFor = "contact-" + n + "-" + name;
  const input = el("input", "field__input");
  Object.assign(input, { id: labelNode.htmlFor, name, type, autocomplete: options.autocomplete || "off",
                         required: Boolean(options.required), maxLength: options.maxLength || 120 });
  if (options.placeholder) input.placeholder = options.placeholder;
  wrap.append(labelNode, input);
  return wrap;
}

function renderCard(reason, label) {
  const n = ++forms;
  const card = el("li", "card card--contact");
  const body = el("div", "card__body");
  const title = el("p", "card__title", reason === "held" ? t("Call held: ") : t("How can we reach you?"));
  if (reason === "held" && label) title.append(el("strong", null, label));
  body.append(title, el("p", "card__text", reason === "held"
    ? t("Give your name and e-mail to confirm it. We'll send the details there.")
    : t("No advisor is free right now. Leave your details and an advisor will write back.")));

  const form = el("form", "contact");
  form.noValidate = true;
  form.append(
    field(n, "name", t("Your name"), "text", { required: true, autocomplete: "name" }),
    field(n, "email", t("E-mail"), "email", { required: true, autocomplete: "email", maxLength: 254 }),
    field(n, "phone", t("Phone or WhatsApp, with country code (optional)"), "tel",
      { autocomplete: "tel", maxLength: 40, placeholder: "+53 5 123 4567" }));
  const group = el("fieldset", "contact__methods");
  group.append(el("legend", "field__label", t("How should the advisor call you?")));
  METHODS.forEach(([value, text], i) => {
    const option = el("label", "contact__method");
    const input = el("input");
    Object.assign(input, { type: "radio", name: "method-" + n, value, checked: i === 0 });
    option.append(input, document.createTextNode(" " + text));
    group.append(option);
  });
  const error = el("p", "field__error");
  error.setAttribute("aria-live", "polite");
  const submit = el("button", "button button--primary contact__submit", t("Save my details"));
  submit.type = "submit";
  form.append(group, error, submit);
  body.append(form);
  card.append(body);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send(card, form, { error, submit });
  });
  form.addEventListener("input", () => { error.textContent = ""; });
  return card;
}

function send(card, form, parts) {
  const value = (name) => form.elements[name].value.trim();
  if (!value("name") || !value("email")) {
    parts.error.textContent = t("Please give your name and e-mail.");
    form.elements[value("name") ? "email" : "name"].focus();
    return;
  }
  if (!isJoined()) {
    parts.error.textContent = t("You're not connected right now. Please try again in a moment.");
    return;
  }
  const method = (form.querySelector("input[type=radio]:checked") || {}).value;
  const payload = { chat_id: view.chatId, name: value("name"), email: value("email"), method };
  if (value("phone")) payload.phone = value("phone");
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone) payload.timezone = zone;
  const gen = view.generation;
  parts.submit.disabled = true;
  parts.error.textContent = "";
  view.socket.request(EVENTS.SAVE_CONTACT, payload, (err, ack) => {
    if (gen !== view.generation || !card.isConnected) return;
    parts.submit.disabled = false;
    if (!err && ack && ack.ok) contactSaved(ack.contact);
    else parts.error.textContent = err ? t("The server did not answer. Please try again.") : errorOf(ack).message;
  });
}

function thank(card) {
  if (current && current.node === card) current.done = true;
  const thanks = el("p", "contact__thanks", t("Thanks, %(name)s. We'll reach you at %(email)s.",
    { name: contact.name, email: contact.email }));
  thanks.tabIndex = -1;
  const form = card.querySelector(".contact");
  if (form) form.replaceWith(thanks);
  const text = card.querySelector(".card__text");
  if (text) text.remove();
  thanks.focus();
}
