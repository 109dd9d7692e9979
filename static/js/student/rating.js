/* The "conversation closed" card and its rating form; one open form at a time. */
import { el } from "../shared/dom.js";
import { EVENTS, errorOf } from "../shared/protocol.js";
import { announce, isJoined, thread, view } from "./page.js";
import { t, tn } from "../shared/i18n.js";

const COMMENT_MAX = 1000;
const RATING_WORDS = [t("Very poor"), t("Poor"), t("Okay"), t("Good"), t("Excellent")];
const STAR_PATH = "M12 2.6l2.85 5.92 6.5.86-4.76 4.53 1.2 6.46L12 17.24l-5.79 3.13 1.2-6.46-4.76-4.53 6.5-.86z";

let forms = 0; // ids for the labels of each card's fields
let current = null; // {node, done} for the rating card of the latest close

export function resetRating() {
  current = null;
}

export function showRatingCard() {
  if (current && !current.done) return;
  const card = renderCard();
  current = { node: card, done: false };
  thread.addCard(card);
  announce(t("This conversation was closed. You can rate it."));
}

/** The chat is open again: an unanswered form goes; a thank-you stays as history. */
export function dropRatingForm() {
  if (!current || current.done) return;
  current.node.remove();
  current = null;
}

function renderCard() {
  const n = ++forms;
  const card = el("li", "card card--rating");
  const body = el("div", "card__body");
  body.append(el("p", "card__title", t("This conversation was closed")),
    el("p", "card__text", t("How did we do? You can still write below to reopen it.")));

  const form = el("form", "rating");
  form.noValidate = true;
  const group = el("fieldset", "rating__group");
  const stars = el("div", "rating__stars");
  const caption = el("span", "rating__caption");
  caption.setAttribute("aria-hidden", "true"); // each star's label says it already
  for (let value = 1; value <= 5; value++) {
    const input = el("input", "rating__input visually-hidden");
    input.type = "radio";
    input.name = "rating-" + n;
    input.id = "rating-" + n + "-" + value;
    input.value = String(value);
    const label = el("label", "star");
    label.htmlFor = input.id;
    label.dataset.value = String(value);
    label.append(starIcon(), el("span", "visually-hidden",
      tn("%(n)s star, %(word)s", "%(n)s stars, %(word)s", value, { word: RATING_WORDS[value - 1] })));
    stars.append(input, label);
  }
  group.append(el("legend", "rating__legend", t("Your rating")), stars, caption);

  const commentLabel = el("label", "field__label", t("Anything you'd like to add? (optional)"));
  commentLabel.htmlFor = "rating-" + n + "-comment";
  const comment = el("textarea", "field__input rating__comment");
  comment.id = commentLabel.htmlFor;
  comment.rows = 2;
  comment.maxLength = COMMENT_MAX;
  const error = el("p", "field__error");
  error.setAttribute("aria-live", "polite");
  const submit = el("button", "button button--primary rating__submit", t("Submit"));
  submit.type = "submit";
  form.append(group, commentLabel, comment, error, submit);
  body.append(form);
  card.append(body);

  const chosen = () => Number((form.querySelector(".rating__input:checked") || {}).value) || 0;
  const paint = (value) => {
    stars.querySelectorAll(".star").forEach((star) => star.classList.toggle("star--lit", Number(star.dataset.value) <= value));
    caption.textContent = value ? RATING_WORDS[value - 1] : "";
  };
  stars.addEventListener("change", () => {
    error.textContent = "";
    paint(chosen());
  });
  stars.addEventListener("mouseover", (event) => {
    const star = event.target.closest(".star");
    if (star) paint(Number(star.dataset.value));
  });
  stars.addEventListener("mouseleave", () => paint(chosen()));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submitRating(card, chosen(), comment.value.trim(), { error, submit, stars });
  });
  return card;
}

function starIcon() {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", STAR_PATH);
  svg.append(path);
  return svg;
}

function submitRating(card, rating, comment, parts) {
  if (!rating) {
    parts.error.textContent = t("Choose from 1 to 5 stars first.");
    parts.stars.querySelector(".rating__input").focus();
    return;
  }
  if (!isJoined()) {
    parts.error.textContent = t("You're not connected right now. Please try again in a moment.");
    return;
  }
  const payload = { chat_id: view.chatId, rating };
  if (comment) payload.comment = comment;
  const gen = view.generation;
  parts.submit.disabled = true;
  parts.error.textContent = "";
  view.socket.request(EVENTS.RATE_CHAT, payload, (err, ack) => {
    if (gen !== view.generation || !card.isConnected) return;
    parts.submit.disabled = false;
    if (!err && ack && ack.ok) thank(card);
    else parts.error.textContent = err ? t("The server did not answer. Please try again.") : errorOf(ack).message;
  });
}

function thank(card) {
  if (current && current.node === card) current.done = true;
  const thanks = el("p", "rating__thanks", t("Thanks for your feedback"));
  thanks.tabIndex = -1; // focus stays in the card when its form goes
  card.querySelector(".rating").replaceWith(thanks);
  card.querySelector(".card__text").remove();
  thanks.focus();
}
