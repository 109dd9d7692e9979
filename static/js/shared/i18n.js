/* The page's strings in its language. The server renders the page's gettext catalog into a JSON
   block (templates/base.html, id "i18n-catalog"); every text a script shows goes through t() or
   tn() with its English msgid, which `pybabel extract` (babel.cfg) collects into the same catalog.
   Placeholders are named like Python's: "%(name)s". */
const block = document.getElementById("i18n-catalog");

function readCatalog() {
  try {
    const parsed = block ? JSON.parse(block.textContent) : {};
    return parsed && typeof parsed === "object" ? parsed : {};
  } catch {
    return {};
  }
}

const catalog = readCatalog();

/** The page's language ("en"/"es"), as the server set it on <html lang>. */
export const lang = document.documentElement.lang || "en";

function fill(text, values) {
  if (!values) return text;
  return text.replace(/%\((\w+)\)s/g, (match, key) => (key in values ? String(values[key]) : match));
}

/** The translation of an English msgid, placeholders filled from `values`. */
export function t(msgid, values) {
  const text = catalog[msgid];
  return fill(typeof text === "string" && text ? text : msgid, values);
}

/** A count in words: tn("%(n)s minute", "%(n)s minutes", n). English and Spanish share the rule. */
export function tn(singular, plural, n, values) {
  const forms = catalog[singular];
  const index = n === 1 ? 0 : 1;
  const text = Array.isArray(forms) && forms[index] ? forms[index] : (index ? plural : singular);
  return fill(text, { n, ...values });
}
