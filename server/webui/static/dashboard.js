// Dashboard: every station with its state, counted by state, searchable, updated live.
import {ago, badge, clear, debounce, el, errorBox, fmtTime, statusBadge, table} from "./dom.js";
import {get} from "./api.js";
import {onLive, subscribe} from "./live.js";

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

export async function render(main, {signal}) {
  const counts = el("div", {class: "counts"});
  const search = el("input", {type: "search", id: "station-search", placeholder: "Search identity, vendor, model…",
                              "aria-label": "Search stations"});
  const stateFilter = el("select", {id: "state-filter", "aria-label": "State"},
    el("option", {value: ""}, "every state"), STATES.map(s => el("option", {value: s}, s)));
  const list = el("div", {id: "stations"});
  const problem = el("div");
  main.append(el("div", {class: "page-head"}, el("h1", {}, "Stations"),
      el("div", {class: "filters"}, search, stateFilter)),
    problem, counts, list);

  let stations = [];
  const draw = () => {
    const n = Object.fromEntries(STATES.map(s => [s, 0]));
    for (const s of stations) n[stationState(s)]++;
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
    clear(list, table([
      {title: "State", cell: s => stateBadge(stationState(s))},
      {title: "Station", cell: s => el("a", {href: `#/stations/${encodeURIComponent(s.identity)}`, class: "identity"}, s.identity)},
      {title: "OCPP", cell: s => `${s.version || "—"}${s.transport === "soap" ? " SOAP" : ""}`},
      {title: "Vendor", cell: s => vendorModel(s.boot).vendor || "—"},
      {title: "Model", cell: s => vendorModel(s.boot).model || "—"},
      {title: "Connectors", cell: s => connectorBadges(s)},
      {title: "Last seen", cell: s => el("span", {title: fmtTime(s.lastSeen)}, ago(s.lastSeen))},
    ], shown, stations.length ? "No station matches." : "No station has connected yet."));
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
  const reload = debounce(load, 250);
  search.addEventListener("input", draw);
  stateFilter.addEventListener("change", draw);
  await load();

  subscribe(false);   // station changes only: the dashboard shows no frames
  const stopLive = onLive(message => {
    if (message.type === "stations" || (message.type === "state" && message.state === "open")) reload();
  });
  const every = setInterval(load, 60000);   // "last seen" ages; and a safety net if the socket is down
  return () => { stopLive(); reload.cancel(); clearInterval(every); };
}
