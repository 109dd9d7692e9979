/* Which model answers students: every provider, the unconfigured ones disabled with the reason. */
import { byId, el } from "../shared/dom.js";
import { errorOf } from "../shared/protocol.js";
import { announce, api, notice, ok, state } from "./page.js";

const select = byId("model-select");
const help = byId("model-help");

export function applyModel(model) {
  if (!model || !Array.isArray(model.providers)) return;
  state.model = model;
  select.replaceChildren(...model.providers.map((provider) => {
    const option = el("option", null, provider.configured ? provider.label : provider.label + " (not configured)");
    option.value = provider.name;
    option.dataset.model = provider.name;
    option.disabled = !provider.configured;
    if (provider.reason) option.title = provider.reason;
    return option;
  }));
  select.value = model.active;
  select.disabled = false;
  select.removeAttribute("aria-busy");
  const unavailable = model.providers.filter((p) => !p.configured).map((p) => p.label + ": " + (p.reason || "not configured") + ".");
  help.textContent = unavailable.length ? "Unavailable: " + unavailable.join(" ") : "";
  select.title = unavailable.join("\n");
}

/** The label a reply being streamed is written by. */
export function activeModelLabel() {
  const active = state.model && state.model.providers.find((p) => p.active);
  return active ? active.label : "Assistant";
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
      announce("The assistant now answers with " + (active ? active.label : name) + ".");
      return;
    }
    if (state.model) select.value = state.model.active;
    if (res.status !== 401) notice.show("Could not switch the model: " + errorOf(res.body).message);
  });
}

select.addEventListener("change", changeModel);
