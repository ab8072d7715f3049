// A form built from an operation's JSON schema (OCA's draft-04/06 schemas: objects, $ref into
// "definitions", enums, strings, date-times, integers, numbers, booleans, arrays), with a raw JSON
// view. value() gives the payload: fields, objects and arrays left empty are left out (a required
// one too: the server's schema check then names it); keys the form does not know (typed in the raw
// view) are kept.
import {el} from "./dom.js";

const MAX_DEPTH = 12;

export function schemaForm(schema) {
  const root = schema || {};
  const resolve = s => {
    for (let i = 0; s && s.$ref && i < 20; i++) {
      const m = /^#\/(definitions|\$defs)\/(.+)$/.exec(s.$ref);
      const target = m && root[m[1]] && root[m[1]][decodeURIComponent(m[2])];
      if (!target) return {};
      s = {...target, ...Object.fromEntries(Object.entries(s).filter(([k]) => k !== "$ref"))};
    }
    return s || {};
  };

  const typeOf = s => {
    if (Array.isArray(s.enum)) return "enum";
    const t = Array.isArray(s.type) ? s.type.find(x => x !== "null") : s.type;
    if (t) return t;
    if (s.properties) return "object";
    if (s.items) return "array";
    return "json";
  };

  const label = (name, s, required, forId) => el("label", {for: forId, title: tidy(s.description)},
    name, required ? el("span", {class: "req", title: "required"}, " *") : null);

  const field = (name, s, required, control, hint) => el("div", {class: `field${required ? " required" : ""}`},
    label(name, s, required, control.id), control, hint ? el("small", {class: "muted"}, hint) : null);

  function build(s, path, name, required, depth) {
    s = resolve(s);
    const id = "f-" + (path || "root").replace(/[^A-Za-z0-9_.-]/g, "_");
    const type = depth > MAX_DEPTH ? "json" : typeOf(s);
    if (type === "object" && s.properties) return object(s, path, name, required, depth, id);
    if (type === "array") return array(s, path, name, required, depth, id);
    if (type === "enum") {
      const select = el("select", {id, name: path},
        el("option", {value: ""}, required ? "— choose —" : "— not set —"),
        s.enum.map(v => el("option", {value: String(v)}, String(v))));
      return {element: field(name, s, required, select),
              get: () => select.value === "" ? undefined : s.enum.find(v => String(v) === select.value),
              set: v => { select.value = v === undefined || v === null ? "" : String(v); }};
    }
    if (type === "boolean") {
      const select = el("select", {id, name: path},
        el("option", {value: ""}, "— not set —"), el("option", {value: "true"}, "true"), el("option", {value: "false"}, "false"));
      return {element: field(name, s, required, select),
              get: () => select.value === "" ? undefined : select.value === "true",
              set: v => { select.value = v === true ? "true" : v === false ? "false" : ""; }};
    }
    if (type === "integer" || type === "number") {
      const input = el("input", {id, name: path, type: "number", step: type === "integer" ? "1" : "any",
                                 min: s.minimum, max: s.maximum, inputmode: type === "integer" ? "numeric" : "decimal"});
      return {element: field(name, s, required, input, type),
              get: () => input.value === "" ? undefined : Number(input.value),
              set: v => { input.value = v === undefined || v === null ? "" : String(v); }};
    }
    if (type === "string" && s.format === "date-time") {
      const input = el("input", {id, name: path, type: "datetime-local", step: "1"});
      return {element: field(name, s, required, input, "your local time; sent as UTC"),
              get: () => input.value ? new Date(input.value).toISOString() : undefined,
              set: v => { input.value = v ? toLocalInput(v) : ""; }};
    }
    if (type === "string") {
      const long = s.maxLength > 500;
      const input = long ? el("textarea", {id, name: path, rows: 3, maxlength: s.maxLength})
                         : el("input", {id, name: path, type: "text", maxlength: s.maxLength, spellcheck: "false"});
      return {element: field(name, s, required, input, s.maxLength ? `text, at most ${s.maxLength}` : "text"),
              get: () => input.value === "" ? undefined : input.value,
              set: v => { input.value = v === undefined || v === null ? "" : String(v); }};
    }
    // anything else (a free object, anyOf, no type): JSON, or plain text when it does not parse
    const area = el("textarea", {id, name: path, rows: 2, spellcheck: "false", placeholder: "JSON"});
    return {element: field(name, s, required, area, "JSON"),
            get: () => {
              if (area.value.trim() === "") return undefined;
              try { return JSON.parse(area.value); } catch { return area.value; }
            },
            set: v => { area.value = v === undefined ? "" : JSON.stringify(v); }};
  }

  function object(s, path, name, required, depth, id) {
    const need = new Set(s.required || []);
    const children = Object.entries(s.properties)
      // customData is the 2.x vendor extension point: left to the raw JSON view
      .filter(([key]) => key !== "customData")
      .map(([key, sub]) => [key, build(sub, path ? `${path}.${key}` : key, key, need.has(key), depth + 1)]);
    let extra = {};
    const body = children.map(([, c]) => c.element);
    const element = depth === 0 ? el("div", {class: "schema-root", id}, body.length ? body : el("p", {class: "muted"}, "This operation takes no fields."))
      : el("fieldset", {class: `obj${required ? " required" : ""}`, id},
          el("legend", {title: tidy(s.description)}, name, required ? el("span", {class: "req", title: "required"}, " *") : null), body);
    return {
      element,
      get: () => {
        const out = {...extra};
        for (const [key, c] of children) {
          const v = c.get();
          if (v !== undefined) out[key] = v;
        }
        // an object nobody filled in is left out, even a required one: the server then names it
        return Object.keys(out).length || depth === 0 ? out : undefined;
      },
      set: v => {
        const obj = v && typeof v === "object" && !Array.isArray(v) ? v : {};
        const known = new Set(children.map(([k]) => k));
        extra = Object.fromEntries(Object.entries(obj).filter(([k]) => !known.has(k)));
        for (const [key, c] of children) c.set(obj[key]);
      },
    };
  }

  function array(s, path, name, required, depth, id) {
    const items = [];
    const list = el("div", {class: "items"});
    const add = value => {
      const index = items.length ? Math.max(...items.map(i => i.index)) + 1 : 0;
      const item = build(s.items || {}, `${path}.${index}`, `${name} ${index + 1}`, true, depth + 1);
      item.index = index;
      const remove = el("button", {type: "button", class: "small remove", title: "Remove this item",
                                   onclick: () => { items.splice(items.indexOf(item), 1); row.remove(); }}, "Remove");
      const row = el("div", {class: "item"}, item.element, remove);
      items.push(item);
      list.append(row);
      if (value !== undefined) item.set(value);
      return item;
    };
    const limits = [s.minItems ? `at least ${s.minItems}` : null, s.maxItems ? `at most ${s.maxItems}` : null].filter(Boolean).join(", ");
    const element = el("fieldset", {class: `arr${required ? " required" : ""}`, id},
      el("legend", {title: tidy(s.description)}, name, required ? el("span", {class: "req", title: "required"}, " *") : null,
        limits ? el("small", {class: "muted"}, ` (${limits})`) : null),
      list, el("button", {type: "button", class: "small add", dataset: {path}, onclick: () => add()}, `Add ${name}`));
    return {
      element,
      get: () => {
        const values = items.map(i => i.get()).filter(v => v !== undefined);
        return values.length ? values : undefined;
      },
      set: v => {
        items.length = 0;
        list.replaceChildren();
        for (const x of Array.isArray(v) ? v : []) add(x);
      },
    };
  }

  const form = build(root, "", root.title || "payload", true, 0);
  const raw = el("textarea", {class: "raw", name: "raw-json", rows: 12, spellcheck: "false", hidden: true,
                              "aria-label": "Raw JSON payload"});
  const toggle = el("input", {type: "checkbox", name: "raw-toggle"});
  const problem = el("div", {class: "message"});
  const formView = el("div", {class: "form-view"}, form.element);

  const parseRaw = () => {
    try {
      const v = JSON.parse(raw.value || "{}");
      if (!v || typeof v !== "object" || Array.isArray(v)) throw new Error("the payload must be a JSON object");
      return v;
    } catch (e) {
      throw new Error(`The raw JSON is not valid: ${e.message}`);
    }
  };

  toggle.addEventListener("change", () => {
    problem.replaceChildren();
    if (toggle.checked) {
      raw.value = JSON.stringify(form.get() ?? {}, null, 2);
    } else {
      try { form.set(parseRaw()); } catch (e) {
        toggle.checked = true;
        problem.append(el("div", {class: "error", role: "alert"}, e.message));
        return;
      }
    }
    raw.hidden = !toggle.checked;
    formView.hidden = toggle.checked;
  });

  const element = el("div", {class: "schema-form"},
    el("label", {class: "toggle"}, toggle, " Raw JSON"), problem, formView, raw);

  return {
    element,
    /** The payload; throws an Error in words when the raw JSON does not parse. */
    value: () => toggle.checked ? parseRaw() : (form.get() ?? {}),
    setValue: v => { form.set(v); raw.value = JSON.stringify(v, null, 2); },
    /** Marks the control of a field the server named (e.g. "chargingProfile.chargingSchedule"). */
    markField(name) {
      for (const x of element.querySelectorAll(".invalid")) x.classList.remove("invalid");
      if (!name) return;
      const wanted = String(name).replace(/^[$#/.]+/, "").replace(/\[(\d+)\]/g, ".$1").replace(/\//g, ".");
      const controls = [...element.querySelectorAll("[name], fieldset[id]")];
      const hit = controls.find(c => (c.name || c.id.slice(2)) === wanted)
        || controls.find(c => (c.name || c.id.slice(2) || "").endsWith("." + wanted));
      if (hit) { hit.classList.add("invalid"); if (hit.focus) hit.focus(); }
    },
  };
}

function tidy(text) {
  return text ? String(text).replace(/\r?\n/g, " ").replace(/urn:x-oca:\S+/g, "").trim().slice(0, 400) : undefined;
}

function toLocalInput(iso) {
  const d = new Date(iso);
  if (isNaN(d)) return "";
  const p = n => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
