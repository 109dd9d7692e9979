/* The hand-off brief over the open chat: what the student wants, the facts, the mood. */
import { byId, el } from "../shared/dom.js";
import { view } from "./page.js";
import { t } from "../shared/i18n.js";

const FACT_LABELS = { program: t("Program"), intake: t("Intake"), country: t("Country"), deadline: t("Deadline") };
const PROVIDER_NAMES = { openai: "OpenAI", gemini: "Gemini", local: t("Offline assistant") };

const ui = {
  brief: byId("chat-brief"),
  mood: byId("brief-mood"),
  by: byId("brief-by"),
  wants: byId("brief-wants"),
  factsRow: byId("brief-facts-row"),
  facts: byId("brief-facts"),
  answered: byId("brief-answered"),
  reason: byId("brief-reason"),
  languageRow: byId("brief-language-row"),
  language: byId("brief-language"),
};

function author(model) {
  if (!model || model === "local") return t("rules");
  const parts = String(model).split(":");
  return parts.length > 1 ? (PROVIDER_NAMES[parts[0]] || parts[0]) + " " + parts.slice(1).join(":") : model;
}

function moodTone(mood) {
  if (/frustrat|anx|angry|upset|worr|stress|annoy|confus|urgent/i.test(mood)) return "upset";
  if (/positive|happy|calm|excited|relaxed|satisfied/i.test(mood)) return "calm";
  return "neutral";
}

/** Open on wide screens, folded on phones, for each newly opened chat. */
export function unfoldBrief(open) {
  ui.brief.open = open;
}

export function renderBrief(chat) {
  const brief = chat && chat.brief && typeof chat.brief === "object" ? chat.brief : null;
  const key = brief ? JSON.stringify(brief) : null;
  ui.brief.hidden = !brief;
  if (key === view.briefShown) return;
  view.briefShown = key;
  if (!brief) return;
  ui.wants.textContent = brief.wants || "—";
  // The brief names the student's language in English ("Spanish"); the catalog has it in the desk's.
  ui.languageRow.hidden = !brief.language;
  ui.language.textContent = brief.language ? t(brief.language) : "";
  const facts = brief.facts && typeof brief.facts === "object" ? brief.facts : {};
  const chips = Object.keys(FACT_LABELS).filter((name) => facts[name]).map((name) => {
    const chip = el("li", "brief-chip");
    chip.dataset.fact = name;
    chip.append(el("span", "brief-chip__label", FACT_LABELS[name]), el("span", "brief-chip__value", facts[name]));
    return chip;
  });
  ui.facts.replaceChildren(...chips);
  ui.factsRow.hidden = chips.length === 0;
  ui.answered.textContent = brief.answered || t("Nothing yet.");
  ui.reason.textContent = brief.reason || (chat && chat.escalation_reason) || "—";
  ui.mood.hidden = !brief.mood;
  ui.mood.dataset.tone = moodTone(brief.mood || "");
  ui.mood.replaceChildren(el("span", "visually-hidden", t("Mood: ")), document.createTextNode(brief.mood || ""));
  ui.by.textContent = t("written by %(author)s", { author: author(brief.model) });
}
