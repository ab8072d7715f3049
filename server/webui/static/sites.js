// Sites (docs/site-load-balancing.md): the list, and one site's load: its limit, what each charging
// EVSE is given and draws. Read only: sites are changed through the REST API or SQL.
import {badge, clear, debounce, el, errorBox, fmtTime, section, table} from "./dom.js";
import {enc, get} from "./api.js";
import {onLive} from "./live.js";

const REFRESH_MS = 5000;   // draws come with meter values: the page polls as well as listening

const amps = a => a === null || a === undefined ? "—" : `${Number(a).toFixed(1)} A`;
const limitText = s => `${s.limit} ${s.limitUnit}` + (s.limitUnit === "W" ? ` (${amps(s.limitA)} per phase)` : " per phase");

export async function renderList(main, {signal}) {
  const box = el("div", {id: "sites"});
  main.append(el("div", {class: "page-head"}, el("h1", {}, "Sites")), box);
  try {
    const sites = await get("/sites", {signal});
    clear(box, table([
      {title: "Site", cell: s => el("a", {href: `#/sites/${s.id}`}, s.name)},
      {title: "Limit", cell: limitText},
      {title: "Stations", class: "num", cell: s => String(s.stations.length)},
    ], sites, "No site yet: create one with POST /api/v1/sites or ocpp.set_site()."));
  } catch (e) {
    if (e.name !== "AbortError") clear(box, errorBox(e));
  }
}

function usage(load) {
  const share = load.limitA > 0 ? Math.min(100, 100 * load.allocatedA / load.limitA) : 0;
  return el("div", {class: "site-usage"},
    el("progress", {class: "site-bar", max: 100, value: share, "aria-label": `${share.toFixed(0)} % of the limit allocated`}),
    el("dl", {class: "kv"},
      el("dt", {}, "Limit"), el("dd", {id: "site-limit"}, limitText(load)),
      el("dt", {}, "Allocated"), el("dd", {id: "site-allocated"}, amps(load.allocatedA)),
      el("dt", {}, "Drawn"), el("dd", {id: "site-draw"}, amps(load.drawA))));
}

function allocations(load) {
  return table([
    {title: "Station", cell: a => el("a", {href: `#/stations/${enc(a.identity)}`}, a.identity)},
    {title: "EVSE", class: "num", cell: a => String(a.evseId)},
    {title: "Transaction", cell: a => el("a", {href: `#/transactions/${a.transactionId}`, class: "tx"}, String(a.transactionId))},
    {title: "Limit", class: "num", cell: a => a.limitA > 0 ? amps(a.limitA) : badge("waiting", "busy", "its minimum does not fit: it waits")},
    {title: `Limit (${load.limitUnit})`, class: "num", cell: a => String(a.limit)},
    {title: "Drawn", class: "num", cell: a => amps(a.drawA)},
    {title: "Since", class: "nowrap", cell: a => fmtTime(a.allocatedAt)},
  ], load.allocations, "No EVSE of this site is charging.");
}

function members(load) {
  return table([
    {title: "Station", cell: m => el("a", {href: `#/stations/${enc(m.identity)}`}, m.identity)},
    {title: "Priority", class: "num", cell: m => String(m.priority)},
    {title: "Minimum", class: "num", cell: m => m.minCurrent === null ? "default" : amps(m.minCurrent)},
    {title: "Maximum", class: "num", cell: m => m.maxCurrent === null ? "—" : amps(m.maxCurrent)},
  ], load.stations, "No station in this site.");
}

export async function renderSite(main, {params, signal}) {
  const [id] = params;
  const head = el("h1", {}, "Site");
  const box = el("div", {id: "site-load"});
  main.append(el("div", {class: "page-head"}, head, el("a", {href: "#/sites", class: "button"}, "All sites")), box);
  const load = async () => {
    try {
      const site = await get(`/sites/${enc(id)}/load`, {signal});
      head.textContent = site.name;
      clear(box, section("Load", usage(site)), section("Charging EVSEs", allocations(site)),
        section("Stations", members(site)));
    } catch (e) {
      if (e.name !== "AbortError" && !signal.aborted) clear(box, errorBox(e));
    }
  };
  await load();
  const reload = debounce(load, 500);
  const stop = onLive(m => { if (m.type === "stations") reload(); });
  const timer = setInterval(load, REFRESH_MS);
  return () => { stop(); reload.cancel(); clearInterval(timer); };
}
