// Dashboard: the day's figures, every station with its state, counted by state, searchable, updated
// live (a changed station is fetched alone and patched in), and one command to the selected stations.
import {ago, badge, clear, debounce, el, errorBox, fmtEnergy, fmtTime, shortJson, statusBadge, table} from "./dom.js";
import {cached, enc, get, post, query} from "./api.js";
import {onLive, subscribe} from "./live.js";
import {schemaForm} from "./schemaform.js";

// More changed stations than this at once: the whole list is read again instead, in one request.
const PATCH_MAX = 20;

// A station is "charging" when one of its connectors is in a session that may draw energy: 1.6
// Charging, SuspendedEV, SuspendedEVSE; 2.0.1/2.1 report only Occupied, which counts as charging.
// Preparing (plugged in, not started) and Finishing (stopped, still plugged) do not.
export const CHARGING = new Set(["Charging", "SuspendedEV", "SuspendedEVSE", "Occupied"]);
export const STATES = ["available", "charging", "faulted", "offline", "other"];
const STATE_CLASS = {available: "ok", charging: "charging", faulted: "fault", offline: "offline", other: "idle"};

/** offline (not connected) > faulted (any connector, the station's own included) > charging >
 * available (a connector is Available) > other (Unavailable, Reserved, Preparing, Finishing, no status). */
export function stationState(station) {
  // an OCPP-S (SOAP) station holds no connection: its connectors say how it is
  if (!station.connected && station.transport !== "soap") return "offline";
  const connectors = station.connectors || [];
  if (connectors.some(c => c.status === "Faulted")) return "faulted";
  const outlets = connectors.filter(c => c.evseId > 0);
  if (outlets.some(c => CHARGING.has(c.status))) return "charging";
  if (outlets.some(c => c.status === "Available")) return "available";
  return "other";
}

export function stateBadge(state) {
  return badge(state, STATE_CLASS[state] || "idle");
}

/** Vendor and model from the last BootNotification: 1.5/1.6 chargePointVendor/Model, 2.x chargingStation. */
export function vendorModel(boot) {
  if (!boot || typeof boot !== "object") return {vendor: null, model: null, firmware: null, serial: null};
  const cs = boot.chargingStation || {};
  return {
    vendor: boot.chargePointVendor ?? cs.vendorName ?? null,
    model: boot.chargePointModel ?? cs.model ?? null,
    firmware: boot.firmwareVersion ?? cs.firmwareVersion ?? null,
    serial: boot.chargePointSerialNumber ?? boot.chargeBoxSerialNumber ?? cs.serialNumber ?? null,
  };
}

/** "1" for a 1.x connector, "1/2" for a 2.x EVSE/connector, "station" for connector 0 / EVSE 0. */
export function connectorLabel(version, c) {
  if (!c.evseId) return "station";
  return version && version.startsWith("2") ? `${c.evseId}/${c.connectorId}` : String(c.evseId);
}

export function connectorBadges(station) {
  return el("span", {class: "badges"}, (station.connectors || [])
    // the station's own status (connector 0) only when it says something
    .filter(c => c.evseId > 0 || (c.status && c.status !== "Available"))
    .map(c => statusBadge(c.status, `${connectorLabel(station.version, c)}: `,
      [c.errorCode && c.errorCode !== "NoError" ? c.errorCode : null, c.info, c.timestamp ? `since ${fmtTime(c.timestamp)}` : null]
        .filter(Boolean).join(" · ") || undefined)));
}

/** Local midnight today as ISO 8601: "today" is the operator's day. */
function midnight() {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d.toISOString();
}

/** The day's figures (GET /today) and the faulted stations of the live list. */
function todayBox() {
  const figure = (id, title) => el("div", {class: "count figure", id}, el("b", {}, "…"), title);
  const energy = figure("today-energy", "energy today");
  const sessions = figure("today-sessions", "sessions today");
  const faulted = figure("today-faulted", "stations faulted");
  const element = el("div", {class: "counts today", id: "today"}, energy, sessions, faulted);
  const set = (box, text) => { box.querySelector("b").textContent = text; };
  return {
    element,
    show(day) {
      set(energy, day.energyWh >= 1000 ? `${(day.energyWh / 1000).toFixed(1)} kWh` : fmtEnergy(day.energyWh));
      energy.title = `${day.energyWh} Wh delivered by the sessions started since ${fmtTime(day.since)}`;
      set(sessions, String(day.sessions));
      sessions.title = `${day.running} running now`;
    },
    faulted(n) { set(faulted, String(n)); faulted.classList.toggle("fault", n > 0); },
  };
}

/** One operation, its payload from the operation's schema form, to every selected station; each
 * station's result (command id, status, answer) in a table. The form follows the OCPP version of
 * the first selected station. */
function bulkPanel(selection, session, signal) {
  const readOnly = session && session.auth && session.role === "read";
  const info = el("p", {id: "bulk-info"});
  const select = el("select", {id: "bulk-operation", name: "bulk-operation", "aria-label": "Operation"});
  const formBox = el("div", {id: "bulk-form"});
  const send = el("button", {type: "submit", class: "primary", id: "bulk-send", disabled: true}, "Send to selected");
  const result = el("div", {id: "bulk-results", "aria-live": "polite"});
  let version = null, form = null, loading = 0;

  const reset = () => { form = null; send.disabled = true; formBox.replaceChildren(); };
  const loadOperations = async () => {
    const mine = ++loading;
    clear(select, el("option", {value: ""}, "— choose an operation —"));
    reset();
    try {
      const ops = (await cached(`/schemas/${enc(version)}`)).operations || [];
      if (mine === loading) select.append(...ops.map(op => el("option", {value: op}, op)));
    } catch (e) {
      if (mine === loading) clear(formBox, errorBox(e));
    }
  };
  select.addEventListener("change", async () => {
    const op = select.value, mine = ++loading;
    reset();
    if (!op) return;
    clear(formBox, el("p", {class: "muted"}, "Loading the schema…"));
    try {
      const schema = await cached(`/schemas/${enc(version)}/${enc(op)}`);
      if (mine !== loading || signal.aborted) return;
      form = schemaForm(schema);
      clear(formBox, form.element);
      send.disabled = readOnly;
    } catch (e) {
      if (mine === loading) clear(formBox, errorBox(e));
    }
  });

  const panel = el("form", {class: "card commands bulk", id: "bulk", hidden: true, onsubmit: async event => {
    event.preventDefault();
    const chosen = selection();
    if (!form || !chosen.length) return;
    const action = select.value;
    let payload;
    try { payload = form.value(); } catch (e) { clear(result, errorBox(e)); return; }
    send.disabled = true;
    clear(result, el("p", {class: "muted pending"}, `Sending ${action} to ${chosen.length} stations… (waiting for their answers)`));
    try {
      const answer = await post("/commands/bulk", {identities: chosen.map(s => s.identity), action, payload}, {signal});
      clear(result, table([
        {title: "Station", cell: r => el("a", {href: `#/stations/${encodeURIComponent(r.identity)}`}, r.identity)},
        {title: "Command", cell: r => r.commandId === null ? "—" : String(r.commandId)},
        {title: "Status", cell: r => badge(r.status, r.status === "answered" ? "ok" : ["queued", "sent"].includes(r.status) ? "busy" : "fault")},
        {title: "Answer", class: "wide", cell: r => el("code", {title: JSON.stringify(r.response ?? r.error ?? null)},
          r.response ? shortJson(r.response, 80) : r.error ? r.error.description || r.error.code || shortJson(r.error, 80) : "")},
      ], answer.results || [], "No station."));
    } catch (e) {
      if (e.name !== "AbortError") clear(result, errorBox(e));
      if (e.field && form) form.markField(e.field);
    } finally {
      send.disabled = readOnly || !form;
    }
  }},
    el("h2", {}, "Command to the selected stations"), info,
    el("div", {class: "row"}, select, send),
    readOnly ? el("p", {class: "note"}, "Your token is read-only: you may look at the forms but not send.") : null,
    formBox, result);

  return {
    element: panel,
    /** Follows the selection: shown when a station is selected, the operations of its version. */
    update() {
      const chosen = selection();
      panel.hidden = chosen.length === 0;
      if (!chosen.length) return;
      const first = chosen[0].version || "1.6";
      const mixed = chosen.some(s => (s.version || "1.6") !== first);
      clear(info, `${chosen.length} selected: ${chosen.map(s => s.identity).join(", ")}`,
        mixed ? el("span", {class: "muted"}, ` (mixed versions: the form is OCPP ${first}'s; each station checks the payload against its own)`) : null);
      if (first !== version) { version = first; loadOperations(); }
    },
  };
}

export async function render(main, {signal, session}) {
  const counts = el("div", {class: "counts"});
  const search = el("input", {type: "search", id: "station-search", placeholder: "Search identity, vendor, model…",
                              "aria-label": "Search stations"});
  const stateFilter = el("select", {id: "state-filter", "aria-label": "State"},
    el("option", {value: ""}, "every state"), STATES.map(s => el("option", {value: s}, s)));
  const list = el("div", {id: "stations"});
  const problem = el("div");
  const today = todayBox();
  const selected = new Set();   // identities ticked for a command to several stations
  let stations = [];
  const bulk = bulkPanel(() => stations.filter(s => selected.has(s.identity)), session, signal);
  main.append(el("div", {class: "page-head"}, el("h1", {}, "Stations"),
      el("div", {class: "filters"}, search, stateFilter)),
    problem, today.element, counts, bulk.element, list);

  const draw = () => {
    const n = Object.fromEntries(STATES.map(s => [s, 0]));
    for (const s of stations) n[stationState(s)]++;
    today.faulted(n.faulted);
    for (const id of [...selected]) if (!stations.some(s => s.identity === id)) selected.delete(id);
    bulk.update();
    clear(counts,
      el("div", {class: "count total"}, el("b", {}, String(stations.length)), "stations"),
      STATES.filter(s => s !== "other" || n.other).map(s =>
        el("button", {type: "button", class: `count ${STATE_CLASS[s]}`, dataset: {state: s}, title: `Show only ${s}`,
                      onclick: () => { stateFilter.value = stateFilter.value === s ? "" : s; draw(); }},
          el("b", {}, String(n[s])), s)));
    const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const shown = stations.filter(s => {
      if (stateFilter.value && stationState(s) !== stateFilter.value) return false;
      const {vendor, model} = vendorModel(s.boot);
      const text = [s.identity, s.account, s.version, vendor, model, s.node].join(" ").toLowerCase();
      return words.every(w => text.includes(w));
    });
    const all = el("input", {type: "checkbox", id: "select-all", "aria-label": "Select every station shown",
      checked: shown.length > 0 && shown.every(s => selected.has(s.identity)),
      onchange: event => { for (const s of shown) event.target.checked ? selected.add(s.identity) : selected.delete(s.identity); draw(); }});
    clear(list, table([
      {title: "State", cell: s => stateBadge(stationState(s))},
      {title: "Station", cell: s => el("a", {href: `#/stations/${encodeURIComponent(s.identity)}`, class: "identity"}, s.identity)},
      {title: "OCPP", cell: s => `${s.version || "—"}${s.transport === "soap" ? " SOAP" : ""}`},
      {title: "Vendor", cell: s => vendorModel(s.boot).vendor || "—"},
      {title: "Model", cell: s => vendorModel(s.boot).model || "—"},
      {title: "Connectors", cell: s => connectorBadges(s)},
      {title: "Last seen", cell: s => el("span", {title: fmtTime(s.lastSeen)}, ago(s.lastSeen))},
      // last, so that the columns before keep their places; ticked ones get a command together
      {title: all, class: "select", cell: s => el("input", {type: "checkbox", class: "select", value: s.identity,
        checked: selected.has(s.identity), "aria-label": `Select ${s.identity}`,
        onchange: event => { event.target.checked ? selected.add(s.identity) : selected.delete(s.identity); draw(); }})},
    ], shown, stations.length ? "No station matches." : "No station has connected yet."));
  };

  const loadToday = async () => {
    try {
      today.show(await get(`/today${query({since: midnight()})}`, {signal}));
    } catch (e) {
      if (e.name !== "AbortError") clear(problem, errorBox(e));
    }
  };
  const load = async () => {
    try {
      stations = (await get("/stations", {signal})) || [];
      problem.replaceChildren();
    } catch (e) {
      if (e.name === "AbortError") return;
      clear(problem, errorBox(e));
    }
    draw();
  };
  // a changed station alone (GET /stations/{identity}), patched into the list; gone (404): removed
  const changed = new Set();
  const patch = async () => {
    const identities = [...changed];
    changed.clear();
    if (identities.length > PATCH_MAX) return load();
    await Promise.all(identities.map(async identity => {
      try {
        const fresh = await get(`/stations/${enc(identity)}`, {signal});
        const at = stations.findIndex(s => s.identity === identity);
        if (at >= 0) stations[at] = fresh;
        else stations = [...stations, fresh].sort((a, b) => a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : 0);
      } catch (e) {
        if (e.status === 404) stations = stations.filter(s => s.identity !== identity);
        else if (e.name !== "AbortError") clear(problem, errorBox(e));
      }
    }));
    if (!signal.aborted) draw();
  };
  const patchSoon = debounce(patch, 250);
  const reload = debounce(load, 250);
  const todaySoon = debounce(loadToday, 3000);   // a session starts or stops with a station change
  search.addEventListener("input", draw);
  stateFilter.addEventListener("change", draw);
  await Promise.all([load(), loadToday()]);

  subscribe(false);   // station changes only: the dashboard shows no frames
  const stopLive = onLive(message => {
    if (message.type === "stations") {
      for (const identity of message.identities || []) changed.add(identity);
      patchSoon();
      todaySoon();
    } else if (message.type === "state" && message.state === "open") {
      reload();   // (re)connected: what changed while the socket was down is not known
    }
  });
  // "last seen" ages, the day turns; and a safety net if the socket is down
  const every = setInterval(() => { load(); loadToday(); }, 60000);
  return () => { stopLive(); patchSoon.cancel(); reload.cancel(); todaySoon.cancel(); clearInterval(every); };
}
