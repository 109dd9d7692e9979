/* The advisor's "Available / Away" switch and the business-hours note. */
import { byId, el } from "../shared/dom.js";
import { EVENTS } from "../shared/protocol.js";
import { announce, me, notice, online, state } from "./page.js";
import { t } from "../shared/i18n.js";

const ui = {
  toggle: byId("availability-toggle"),
  label: byId("availability-label"),
  help: byId("availability-help"),
  hours: byId("hours-note"),
};

export function applyAvailability(availability) {
  if (!availability || !Array.isArray(availability.advisors)) return;
  const mine = availability.advisors.includes(me);
  ui.toggle.disabled = false;
  ui.toggle.removeAttribute("aria-busy");
  ui.toggle.setAttribute("aria-checked", String(mine));
  ui.label.textContent = mine ? t("Available") : t("Away");
  const you = t("you");
  const who = availability.advisors.length
    ? t("Available now: %(names)s.", { names: availability.advisors.map((n) => (n === me ? you : n)).join(", ") })
    : t("No advisor is available: students are offered advisor calls instead of a live chat.");
  ui.help.textContent = who;
  ui.toggle.title = (mine ? t("You take live chats.") : t("You're away.")) + " " + who;
  const closed = availability.open_now === false;
  ui.hours.hidden = !closed;
  if (closed) {
    ui.hours.replaceChildren(
      el("strong", null, t("Outside business hours (%(hours)s)", { hours: availability.hours || "Mon-Fri 09:00-17:00" })),
      document.createTextNode(t(" · Students are offered advisor calls instead of a live chat.")));
  }
}

function toggle() {
  if (!online(t("Your availability can't change"))) return;
  const available = ui.toggle.getAttribute("aria-checked") !== "true";
  ui.toggle.setAttribute("aria-busy", "true");
  state.socket.request(EVENTS.SET_AVAILABILITY, { available }, (err, ack) => {
    ui.toggle.removeAttribute("aria-busy");
    if (err) {
      notice.show(t("The server did not answer. Please try again."));
      return;
    }
    if (ack && ack.ok) {
      applyAvailability(ack);
      announce(available ? t("You're available for live chats.") : t("You're away."));
    }
  });
}

ui.toggle.addEventListener("click", toggle);
