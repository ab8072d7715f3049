// Live log: the message log's newest rows, then every frame as it comes over /ui/live; filters,
// free-text search, pause (frames are kept while paused) and CSV export of what the filters show.
import {clear, debounce, el, errorBox, table} from "./dom.js";
import {get, query as queryString} from "./api.js";
import {onLive, subscribe} from "./live.js";

const KEEP = 5000;     // rows held in the page
const SHOW = 500;      // rows drawn in the table
const TYPES = {2: "CALL", 3: "RESULT", 4: "ERROR", 5: "RESULT-ERROR", 6: "SEND"};

export function typeName(t) {
  return t === null || t === undefined ? "event" : TYPES[t] || String(t);
}

function time(iso) {
  const d = new Date(iso);
  if (isNaN(d)) return iso || "";
  const p = (n, w = 2) => String(n).padStart(w, "0");
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

function payloadCell(row) {
  const parts = [];
  if (row.errorCode || row.errorDescription) parts.push(`${row.errorCode || ""} ${row.errorDescription || ""}`.trim());
  if (row.payload !== null && row.payload !== undefined) parts.push(typeof row.payload === "string" ? row.payload : JSON.stringify(row.payload));
  const text = parts.join(" ");
  if (text.length <= 100) return el("code", {class: "payload"}, text);
  const pretty = [row.errorCode ? `${row.errorCode} ${row.errorDescription || ""}` : null,
                  typeof row.payload === "string" ? row.payload : JSON.stringify(row.payload, null, 2)].filter(Boolean).join("\n");
  return el("details", {class: "payload"}, el("summary", {}, el("code", {}, text.slice(0, 99) + "…")), el("pre", {}, pretty));
}

/** The table of message-log rows (newest first), as the log page and the station page show it. */
export function frameTable(rows, {station = true, empty = "No frames yet."} = {}) {
  return table([
    {title: "Time", class: "nowrap", cell: r => el("span", {title: r.createdAt}, time(r.createdAt))},
    station ? {title: "Station", cell: r => el("a", {href: `#/stations/${encodeURIComponent(r.identity)}`}, r.identity)} : null,
    {title: "Dir", class: "nowrap", cell: r => el("span", {class: `dir ${r.direction}`,
      title: r.direction === "in" ? "station → central system" : "central system → station"},
      r.direction === "in" ? "in ←" : r.direction === "out" ? "out →" : r.direction || "")},
    {title: "Type", cell: r => el("span", {class: `mtype t${r.messageType ?? "x"}`}, typeName(r.messageType))},
    {title: "Action", cell: r => r.action || ""},
    {title: "Payload", class: "wide", cell: payloadCell},
    {title: "ms", class: "num", cell: r => r.latencyMs === null || r.latencyMs === undefined ? "" : String(Math.round(r.latencyMs))},
  ].filter(Boolean), rows, empty);
}

/** Rows kept newest first, without duplicates (the first page and the socket overlap). */
export class FrameStore {
  constructor(keep = KEEP) { this.rows = []; this.ids = new Set(); this.keep = keep; }
  add(frames) {
    const fresh = frames.filter(f => f && !this.ids.has(f.id));
    if (!fresh.length) return 0;
    for (const f of fresh) this.ids.add(f.id);
    this.rows = fresh.concat(this.rows).sort((a, b) => b.id - a.id);
    for (const gone of this.rows.splice(this.keep)) this.ids.delete(gone.id);
    return fresh.length;
  }
}

const CSV_COLUMNS = ["id", "createdAt", "identity", "account", "direction", "messageType", "action", "uniqueId",
                     "errorCode", "errorDescription", "latencyMs", "payload"];

function csvCell(value) {
  if (value === null || value === undefined) return "";
  let text = typeof value === "object" ? JSON.stringify(value) : String(value);
  // a station's text must not become a spreadsheet formula
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = "'" + text;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(rows) {
  return [CSV_COLUMNS.join(","), ...rows.map(r => CSV_COLUMNS.map(c => csvCell(r[c])).join(","))].join("\r\n") + "\r\n";
}

function download(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], {type}));
  const a = el("a", {href: url, download: name, hidden: true});
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export async function render(main, {signal, query}) {
  const store = new FrameStore();
  let paused = false;
  let held = [];          // frames that came while paused
  let pausedAfter = 0;    // the newest frame id shown when paused: a backfill then adds none newer
  let dropped = 0;

  const station = el("input", {type: "search", id: "log-station", list: "log-stations", placeholder: "any station",
                               value: query.get("identity") || "", "aria-label": "Station"});
  const stations = el("datalist", {id: "log-stations"});
  const action = el("select", {id: "log-action", "aria-label": "Action"}, el("option", {value: ""}, "any action"));
  const direction = el("select", {id: "log-direction", "aria-label": "Direction"},
    el("option", {value: ""}, "both directions"),
    el("option", {value: "in"}, "in: station → central system"),
    el("option", {value: "out"}, "out: central system → station"));
  const text = el("input", {type: "search", id: "log-search", placeholder: "search payloads, ids…", "aria-label": "Search"});
  const pause = el("button", {type: "button", id: "log-pause"}, "Pause");
  const csv = el("button", {type: "button", id: "log-csv"}, "Export CSV");
  const status = el("p", {class: "muted", id: "log-status"});
  const problem = el("div");
  const list = el("div", {id: "log-rows"});
  main.append(el("div", {class: "page-head"}, el("h1", {}, "Live log")),
    el("div", {class: "filters"}, station, stations, action, direction, text, pause, csv), problem, status, list);

  const filtered = () => {
    const id = station.value.trim(), act = action.value, dir = direction.value;
    const words = text.value.trim().toLowerCase();
    return store.rows.filter(r =>
      (!id || r.identity === id) && (!act || r.action === act) && (!dir || r.direction === dir) &&
      (!words || JSON.stringify(r).toLowerCase().includes(words)));
  };

  const knownActions = new Set(), knownStations = new Set();
  const learn = rows => {
    for (const r of rows) {
      if (r.action && !knownActions.has(r.action)) {
        knownActions.add(r.action);
        const options = [...knownActions].sort();
        const keep = action.value;
        clear(action, el("option", {value: ""}, "any action"), options.map(a => el("option", {value: a}, a)));
        action.value = keep;
      }
      if (r.identity && !knownStations.has(r.identity)) {
        knownStations.add(r.identity);
        stations.append(el("option", {value: r.identity}));
      }
    }
  };

  const draw = () => {
    const rows = filtered();
    clear(list, frameTable(rows.slice(0, SHOW), {empty: store.rows.length ? "No frame matches the filters." : "No frames yet."}));
    status.textContent = [
      `${rows.length} of ${store.rows.length} frames` + (rows.length > SHOW ? ` (the newest ${SHOW} drawn)` : ""),
      paused ? `paused: ${held.length} new frames waiting` : null,
      dropped ? `${dropped} frames skipped by the server (too many at once)` : null,
    ].filter(Boolean).join(" · ");
  };
  const redraw = debounce(draw, 100);

  // The page holds the newest frames only: a station, action or direction filter also asks the server
  // for the newest 200 older frames that match, so a quiet station's history shows up too.
  const backfill = debounce(async () => {
    const params = {identity: station.value.trim(), action: action.value, direction: direction.value};
    if (!params.identity && !params.action && !params.direction) return;
    try {
      let older = await get(`/message-log${queryString({...params, limit: 200})}`, {signal});
      // paused: what was written since waits for Resume like the live frames (it comes with them)
      if (paused) older = older.filter(f => f.id <= pausedAfter);
      learn(older);
      if (store.add(older)) draw();
    } catch (e) {
      if (e.name !== "AbortError") clear(problem, errorBox(e));
    }
  }, 300);

  for (const input of [station, text]) input.addEventListener("input", redraw);
  station.addEventListener("input", backfill);
  for (const select of [action, direction]) select.addEventListener("change", () => { draw(); backfill(); });
  pause.addEventListener("click", () => {
    paused = !paused;
    if (paused) pausedAfter = store.rows.length ? store.rows[0].id : 0;
    if (!paused && held.length) { learn(held); store.add(held); held = []; }
    pause.textContent = paused ? "Resume" : "Pause";
    pause.classList.toggle("on", paused);
    draw();
  });
  csv.addEventListener("click", () => {
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    download(`ocpp-log-${stamp}.csv`, toCsv(filtered()), "text/csv;charset=utf-8");
  });

  // Listen first, so nothing between the first page and the socket is lost (duplicates are dropped).
  subscribe(null);
  const stopLive = onLive(message => {
    if (message.type === "frames" && Array.isArray(message.frames)) {
      if (paused) { held.push(...message.frames); if (held.length > KEEP) held.splice(0, held.length - KEEP); }
      else { learn(message.frames); store.add(message.frames); }
      redraw();
    } else if (message.type === "dropped") {
      dropped += message.count || 0;
      redraw();
    }
  });
  try {
    const first = await get("/message-log?limit=200", {signal});
    learn(first);
    store.add(first);
  } catch (e) {
    if (e.name !== "AbortError") problem.append(errorBox(e));
  }
  draw();
  if (station.value) backfill();   // opened as #/log?identity=...
  return () => { stopLive(); redraw.cancel(); backfill.cancel(); };
}
