// Settings (docs/webui.md, "Settings"): every cs.setting row with its value and description, each
// value edited in place (PUT /api/v1/settings/{key}); SQL's refusal is shown in words beside it.
import {clear, el, errorBox, table} from "./dom.js";
import {API, enc, get, request} from "./api.js";
import {refusalBox} from "./manage.js";

const show = value => JSON.stringify(value);

/** What was typed, as JSON: valid JSON as it is (60, true, "Pending", null), anything else as a
 * string (Pending), so a status needs no quotes. */
function parseValue(text) {
  try { return JSON.parse(text); } catch { return text; }
}

function valueCell(setting, readOnly) {
  const cell = el("div", {class: "setting-value", dataset: {key: setting.key}});
  const view = () => clear(cell, el("code", {class: "setting-current"}, show(setting.value)), " ",
    readOnly ? null : el("button", {type: "button", class: "small setting-edit", onclick: edit}, "Edit"));
  const edit = () => {
    const input = el("input", {type: "text", class: "setting-input", value: show(setting.value),
                               "aria-label": `New value of ${setting.key}`});
    const message = el("div", {class: "setting-message", "aria-live": "polite"});
    const save = el("button", {type: "submit", class: "small primary setting-save"}, "Save");
    const form = el("form", {class: "row", onsubmit: async event => {
      event.preventDefault();
      save.disabled = true;
      try {
        const changed = await request("PUT", `${API}/settings/${enc(setting.key)}`, {value: parseValue(input.value)});
        setting.value = changed.value;
        view();
      } catch (e) {
        clear(message, e.status ? refusalBox(e) : errorBox(e));
        save.disabled = false;
      }
    }}, input, save, el("button", {type: "button", class: "small", onclick: view}, "Cancel"));
    clear(cell, form, message);
    input.focus();
  };
  view();
  return cell;
}

export async function render(main, {signal, session}) {
  const readOnly = Boolean(session && session.auth && session.role === "read");
  const box = el("div", {id: "settings"});
  main.append(el("div", {class: "page-head"}, el("h1", {}, "Settings")),
    el("p", {class: "muted"}, "The central system's rules (docs/sql-api.md, \"Settings\"). Values are JSON: ",
      "numbers, true/false, or text (quotes optional)."),
    readOnly ? el("p", {class: "note"}, "Your token is read-only: you may look but not change the settings.") : null,
    box);
  try {
    const settings = await get("/settings", {signal});
    clear(box, table([
      {title: "Key", cell: s => el("code", {}, s.key)},
      {title: "Value", class: "wide", cell: s => valueCell(s, readOnly)},
      {title: "Description", cell: s => s.description},
    ], settings, "No settings."));
  } catch (e) {
    if (e.name !== "AbortError") clear(box, errorBox(e));
  }
}
