/* Which model answers students: every provider, the unconfigured ones disabled with the reason. */
import { byId, el } from "../shared/dom.js";
import { errorOf } from "../shared/protocol.js";
import { announce, api, notice, ok, state } from "./page.js";
import { t } from "../shared/i18n.js";

const select = byId("model-select");
const help = byId("model-help");

export function applyModel(model) {
  if (!model || !Array.isArray(model.providers)) return;
  state.model = model;
  select.replaceChildren(...model.providers.map((provider) => {
    const option = el("option", null, provider.configured ? t(provider.label) : t("%(label)s (not configured)", { label: t(provider.label) }));
    option.value = provider.name;
    option.dataset.model = provider.name;
    option.disabled = !provider.configured;
    if (provider.reason) option.title = provider.reason;
    return option;
  }));
  select.value = model.active;
  select.disabled = false;
  select.removeAttribute("aria-busy");
  const unavailable = model.providers.filter((p) => !p.configured).map((p) => t("%(label)s: %(reason)s.", { label: t(p.label), reason: p.reason || t("not configured") }));
  help.textContent = unavailable.length ? t("Unavailable: %(models)s", { models: unavailable.join(" ") }) : "";
  select.title = unavailable.join("\n");
}

/** The label a reply being streamed is written by. */
export function activeModelLabel() {
  const active = state.model && state.model.providers.find((p) => p.active);
  return active ? t(active.label) : t("Assistant");
}

function changeModel() {
  const name = select.value;
  if (!state.model || name === state.model.active) return;
  select.setAttribute("aria-busy", "true");
  api("/model", { method: "POST", json: { model: name } }).then((res) => {
    select.removeAttribute("aria-busy");
    if (ok(res)) {
      applyModel(res.body);
      const active = res.body.providers.find((p) => p.active);
      announce(t("The assistant now answers with %(model)s.", { model: active ? t(active.label) : name }));
      return;
    }
    if (state.model) select.value = state.model.active;
    if (res.status !== 401) notice.show(t("Could not switch the model: %(error)s", { error: errorOf(res.body).message }));
  });
}

select.addEventListener("change", changeModel);
