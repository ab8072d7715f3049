// Transactions: a filtered, paged list, and one transaction with its meter values as a chart.
import {badge, clear, debounce, el, errorBox, fmtEnergy, fmtTime, href, section, table} from "./dom.js";
import {enc, get, post, query as q} from "./api.js";
import {lineChart} from "./chart.js";
import {onLive} from "./live.js";

const PAGE = 50;

/** The cs.transaction id the detail page needs: "id" when the list gives it, else the 1.x number. */
export function transactionKey(t) {
  if (t.id !== undefined && t.id !== null) return t.id;
  return typeof t.transactionId === "number" ? t.transactionId : null;
}

export function transactionRows(rows, {station = true} = {}) {
  return table([
    {title: "Transaction", cell: t => {
      const key = transactionKey(t);
      return key === null ? String(t.transactionId) : el("a", {href: `#/transactions/${key}`, class: "tx"}, String(t.transactionId));
    }},
    station ? {title: "Station", cell: t => el("a", {href: `#/stations/${encodeURIComponent(t.identity)}`}, t.identity)} : null,
    {title: "EVSE", cell: t => t.connectorId && t.evseId !== t.connectorId ? `${t.evseId}/${t.connectorId}` : String(t.evseId ?? "—")},
    {title: "Id tag", cell: t => t.idTag || "—"},
    {title: "Started", class: "nowrap", cell: t => fmtTime(t.startedAt)},
    {title: "Stopped", class: "nowrap", cell: t => t.running ? badge("running", "charging") : fmtTime(t.stoppedAt)},
    {title: "Energy", class: "num", cell: t => fmtEnergy(t.energy)},
    {title: "Reason", cell: t => t.stopReason || ""},
    {title: "Cost", class: "num", cell: t => t.cost ? `${Number(t.cost.total).toFixed(2)} ${t.cost.currency}` : ""},
  ].filter(Boolean), rows, "No transaction matches.");
}

// datetime-local value <-> ISO (the API takes ISO 8601)
const toIso = local => local ? new Date(local).toISOString() : "";
function toLocal(iso) {
  const d = new Date(iso);
  if (!iso || isNaN(d)) return "";
  const p = n => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

export async function renderList(main, {signal, query}) {
  const f = {identity: query.get("identity") || "", idTag: query.get("idTag") || "",
             from: query.get("from") || "", to: query.get("to") || "", offset: Number(query.get("offset")) || 0};
  const identity = el("input", {type: "search", name: "identity", id: "tx-identity", list: "tx-stations", value: f.identity, placeholder: "any station"});
  const stations = el("datalist", {id: "tx-stations"});
  const idTag = el("input", {type: "search", name: "idTag", id: "tx-idtag", value: f.idTag, placeholder: "any id tag"});
  const from = el("input", {type: "datetime-local", name: "from", id: "tx-from", value: toLocal(f.from)});
  const to = el("input", {type: "datetime-local", name: "to", id: "tx-to", value: toLocal(f.to)});
  const form = el("form", {class: "filters", onsubmit: event => {
    event.preventDefault();
    location.hash = href("#/transactions", {identity: identity.value.trim(), idTag: idTag.value.trim(),
                                            from: toIso(from.value), to: toIso(to.value)});
  }},
    el("label", {}, "Station ", identity), stations, el("label", {}, "Id tag ", idTag),
    el("label", {}, "From ", from), el("label", {}, "To ", to),
    el("button", {type: "submit", class: "primary"}, "Filter"),
    el("a", {href: "#/transactions", class: "button"}, "Clear"));
  const result = el("div", {id: "transactions"});
  main.append(el("div", {class: "page-head"}, el("h1", {}, "Transactions")), form, result);
  get("/stations", {signal}).then(list => stations.append(...list.map(s => el("option", {value: s.identity}))), () => {});

  const load = async () => {
    let rows;
    try {
      rows = await get(`/transactions${q({identity: f.identity, idTag: f.idTag, from: f.from, to: f.to, limit: PAGE, offset: f.offset})}`, {signal});
    } catch (e) {
      if (e.name !== "AbortError") clear(result, errorBox(e));
      return;
    }
    // the server filters by idTag; this only guards against a server that ignores the parameter
    if (f.idTag) rows = rows.filter(t => t.idTag === f.idTag);
    const page = (offset, text) => el("a", {class: "button", href: href("#/transactions", {...f, offset: offset || ""})}, text);
    clear(result, transactionRows(rows), el("div", {class: "pager"},
      f.offset > 0 ? page(Math.max(0, f.offset - PAGE), "← Newer") : null,
      rows.length === PAGE ? page(f.offset + PAGE, "Older →") : null));
  };
  await load();
  const reload = debounce(load, 500);
  const stop = onLive(m => { if (m.type === "stations" && (!f.identity || (m.identities || []).includes(f.identity))) reload(); });
  return () => { stop(); reload.cancel(); };
}

const ENERGY = new Set(["Energy.Active.Import.Register"]);

/** Energy delivered (Wh, from the import register less the start) and power (W) over time. */
export function meterSeries(tx) {
  const energy = [], power = new Map(), phasedPower = new Map();
  const scale = unit => unit === "kWh" || unit === "kW" ? 1000 : 1;
  for (const m of tx.meterValues || []) {
    const v = Number(m.value), t = new Date(m.timestamp).getTime();
    if (!isFinite(v) || isNaN(t) || (m.format && m.format !== "Raw")) continue;
    const measurand = m.measurand || "Energy.Active.Import.Register";   // the 1.6 default
    if (ENERGY.has(measurand) && !m.phase) energy.push({t, v: v * scale(m.unit || "Wh")});
    else if (measurand === "Power.Active.Import") {
      const into = m.phase ? phasedPower : power;
      into.set(t, (into.get(t) || 0) + v * scale(m.unit || "W"));  // phases add up to the total
    }
  }
  const powerPoints = [...(power.size ? power : phasedPower)].map(([t, v]) => ({t, v}));
  let base = tx.meterStart;
  if (base === null || base === undefined || energy.some(p => p.v < base)) base = energy.length ? Math.min(...energy.map(p => p.v)) : 0;
  const delivered = energy.map(p => ({t: p.t, v: p.v - base}));
  if (tx.startedAt && tx.meterStart !== null && tx.meterStart !== undefined && base === tx.meterStart) {
    delivered.push({t: new Date(tx.startedAt).getTime(), v: 0});
    if (tx.stoppedAt && tx.meterStop !== null && tx.meterStop !== undefined) delivered.push({t: new Date(tx.stoppedAt).getTime(), v: tx.meterStop - base});
  }
  const unique = new Map(delivered.map(p => [p.t, p]));
  return {energy: [...unique.values()].sort((a, b) => a.t - b.t), power: powerPoints.sort((a, b) => a.t - b.t)};
}

/** The cost of a priced transaction (docs/tariffs.md): "12.34 EUR" and its parts; null when unpriced. */
export function costText(cost) {
  if (!cost) return null;
  const money = v => Number(v).toFixed(2);
  return `${money(cost.total)} ${cost.currency}${cost.final ? "" : " so far"} (energy ${money(cost.energy)}, ` +
         `time ${money(cost.time)}, fee ${money(cost.fee)}, VAT ${money(cost.vat)})`;
}

/** Who closed a transaction its station did not stop (closedBy of the REST API), in words. */
export function closedByText(c) {
  const who = c.by === "operator" ? `the operator ${c.user || "(unknown)"}` : `the central system at a ${c.by}`;
  return `${who}${c.reason ? `, reason ${c.reason}` : ""}`;
}

function keyValues(pairs) {
  return el("dl", {class: "kv"}, pairs.filter(([, v]) => v !== undefined).map(([k, v]) => [el("dt", {}, k), el("dd", {}, v ?? "—")]));
}

// OCPP's stop reasons (1.6 Reason, 2.0.1 ReasonEnumType), as ocpp.close_transaction takes them
export const STOP_REASONS = ["Other", "PowerLoss", "Reboot", "HardReset", "SoftReset", "EmergencyStop",
  "DeAuthorized", "EVDisconnected", "Local", "Remote", "Timeout", "EnergyLimitReached", "GroundFault",
  "ImmediateReset", "LocalOutOfCredit", "MasterPass", "OvercurrentFault", "PowerQuality", "SOCLimitReached",
  "StoppedByEV", "TimeLimitReached", "UnlockCommand"];

/** Force-close: a button that asks for the stop reason, then POST /transactions/{id}/close; the
 * operator's stop of a transaction its station will not stop (lost in a restart, say). */
function forceClose(id, session, signal, onClosed) {
  const readOnly = session && session.auth && session.role === "read";
  const reason = el("select", {id: "close-reason", name: "reason", "aria-label": "Stop reason"},
    STOP_REASONS.map(r => el("option", {value: r}, r)));
  const result = el("div", {id: "close-result", "aria-live": "polite"});
  const confirm = el("button", {type: "submit", class: "primary", id: "close-confirm"}, "Close the transaction");
  const prompt = el("form", {class: "close-prompt", hidden: true, onsubmit: async event => {
    event.preventDefault();
    confirm.disabled = true;
    try {
      await post(`/transactions/${enc(id)}/close`, {reason: reason.value}, {signal});
      prompt.hidden = true;
      onClosed();
    } catch (e) {
      if (e.name !== "AbortError") clear(result, errorBox(e));
    } finally {
      confirm.disabled = false;
    }
  }},
    el("p", {}, "Close it here when its station will not stop it: it ends now as an operator stop, with the last ",
      "meter value stored, and its id tag is free again. A stop the station sends later replaces it."),
    el("label", {}, "Stop reason ", reason), " ", confirm, " ",
    el("button", {type: "button", onclick: () => { prompt.hidden = true; }}, "Cancel"));
  const open = el("button", {type: "button", id: "force-close", disabled: readOnly,
    title: readOnly ? "Your token is read-only" : "Stop this transaction as the operator",
    onclick: () => { prompt.hidden = false; result.replaceChildren(); reason.focus(); }}, "Force close…");
  return el("div", {class: "force-close"}, open, prompt, result);
}

export async function renderDetail(main, {signal, params, session}) {
  const id = params[0];
  const head = el("div", {class: "page-head"}, el("h1", {}, `Transaction ${id}`), el("a", {href: "#/transactions", class: "button"}, "All transactions"));
  const body = el("div", {id: "transaction"});
  main.append(head, body);
  let tx = null;
  const load = async () => {
    try {
      tx = await get(`/transactions/${enc(id)}`, {signal});
    } catch (e) {
      if (e.name !== "AbortError") clear(body, errorBox(e));
      return;
    }
    const {energy, power} = meterSeries(tx);
    clear(head.querySelector("h1"), `Transaction ${tx.transactionId}`, " ", tx.running ? badge("running", "charging") : badge("stopped", "idle"));
    clear(body,
      tx.running ? forceClose(tx.id, session, signal, () => load()) : null,
      section("Summary", keyValues([
        ["Station", el("a", {href: `#/stations/${encodeURIComponent(tx.identity)}`}, tx.identity)],
        ["EVSE / connector", `${tx.evseId ?? "—"} / ${tx.connectorId ?? "—"}`],
        ["Id tag", `${tx.idTag || "—"}${tx.idTagStatus ? ` (${tx.idTagStatus})` : ""}`],
        ["Started", fmtTime(tx.startedAt)], ["Stopped", tx.running ? "running" : fmtTime(tx.stoppedAt)],
        ["Meter start", tx.meterStart === null ? "—" : `${tx.meterStart} Wh`],
        ["Meter stop", tx.meterStop === null ? "—" : `${tx.meterStop} Wh`],
        ["Energy", fmtEnergy(tx.energy ?? (energy.length ? energy[energy.length - 1].v : null))],
        ["Stop reason", tx.stopReason || "—"],
        ["Closed by", tx.closedBy ? el("span", {id: "tx-closed-by"}, closedByText(tx.closedBy)) : undefined],
        ["Reservation", tx.reservationId ?? "—"],
        ["Cost", tx.cost ? el("span", {id: "tx-cost"}, costText(tx.cost)) : undefined],
      ])),
      section("Energy and power", el("div", {class: "chart-box"}, lineChart([
        {name: "Energy delivered", unit: "Wh", color: "#2563eb", axis: "left", points: energy},
        {name: "Power", unit: "W", color: "#ea580c", axis: "right", points: power},
      ], {title: `Energy (Wh) and power (W) of transaction ${tx.transactionId}`}))),
      section(`Meter values (${(tx.meterValues || []).length})`, el("details", {},
        el("summary", {}, "Every sampled value"),
        table([
          {title: "Time", class: "nowrap", cell: m => fmtTime(m.timestamp)},
          {title: "Measurand", cell: m => m.measurand || "Energy.Active.Import.Register"},
          {title: "Value", class: "num", cell: m => m.value},
          {title: "Unit", cell: m => m.unit || ""},
          {title: "Phase", cell: m => m.phase || ""},
          {title: "Context", cell: m => m.context || ""},
          {title: "Location", cell: m => m.location || ""},
        ], tx.meterValues || [], "No meter values."))));
  };
  await load();
  const reload = debounce(load, 500);
  const stop = onLive(m => { if (tx && tx.running && m.type === "stations" && (m.identities || []).includes(tx.identity)) reload(); });
  const every = setInterval(() => { if (tx && tx.running) load(); }, 5000);
  return () => { stop(); reload.cancel(); clearInterval(every); };
}
