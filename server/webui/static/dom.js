// DOM helpers shared by the pages. Everything a station or a user sent goes in as text nodes or
// attribute values, never as HTML: there is no innerHTML anywhere in the UI.

/** el("a", {href: "#/", class: "x", onclick: fn}, "text", child, [more]) */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key in node && typeof value !== "string") node[key] = value;   // value, checked, hidden...
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

/** A table: columns [{title, cell: row => node|text, class?}], rows; empty: text when no rows. */
export function table(columns, rows, empty = "Nothing yet.") {
  if (!rows.length) return el("p", {class: "muted empty"}, empty);
  return el("div", {class: "table-wrap"}, el("table", {},
    el("thead", {}, el("tr", {}, columns.map(c => el("th", {class: c.class}, c.title)))),
    el("tbody", {}, rows.map(r => el("tr", {}, columns.map(c => el("td", {class: c.class, "data-label": typeof c.title === "string" ? c.title : undefined}, c.cell(r))))))));
}

export function section(title, ...children) {
  return el("section", {class: "card"}, el("h2", {}, title), ...children);
}

export function errorBox(error) {
  return el("div", {class: "error", role: "alert"}, error?.message || String(error));
}

/** The colour class of a connector / EVSE status, 1.5 to 2.1. */
export function statusClass(status) {
  switch (status) {
    case "Available": return "ok";
    case "Charging": case "SuspendedEV": case "SuspendedEVSE": case "Occupied": return "charging";
    case "Preparing": case "Finishing": case "Reserved": return "busy";
    case "Faulted": return "fault";
    default: return "idle";   // Unavailable, unknown, none yet
  }
}

export function badge(text, cls, title) {
  return el("span", {class: `badge ${cls || ""}`, title}, text);
}

export function statusBadge(status, prefix = "", title) {
  return badge(`${prefix}${status || "unknown"}`, statusClass(status), title);
}

export function fmtTime(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toLocaleString();
}

export function ago(iso) {
  if (!iso) return "never";
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (isNaN(s)) return String(iso);
  if (s < 60) return s <= 1 ? "just now" : `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}

export function fmtEnergy(wh) {
  if (wh === null || wh === undefined) return "—";
  return Math.abs(wh) >= 1000 ? `${(wh / 1000).toFixed(2)} kWh` : `${Math.round(wh)} Wh`;
}

/** JSON as one short line (for tables); full text is in the title. */
export function shortJson(value, max = 120) {
  if (value === undefined || value === null) return "";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > max ? text.slice(0, max - 1) + "…" : text;
}

export function link(href, text) {
  return el("a", {href}, text);
}

/** Calls fn at most once per `ms`, with the latest arguments, at the end of the wait. */
export function debounce(fn, ms) {
  let timer = null;
  const wrapped = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  wrapped.cancel = () => clearTimeout(timer);
  return wrapped;
}

/** The path of a route with query parameters, e.g. href("#/transactions", {identity: "CP1"}). */
export function href(path, params = {}) {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== ""));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
