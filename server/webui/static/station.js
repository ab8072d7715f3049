// One station: state, boot data, connectors, a commands panel (a form from the operation's schema),
// configuration or device model, transactions, reservations, charging profiles, commands and its
// own live log.
import {ago, badge, clear, debounce, el, errorBox, fmtTime, section, shortJson, statusBadge, table} from "./dom.js";
import {cached, enc, get, post, query as q} from "./api.js";
import {onLive, subscribe} from "./live.js";
import {schemaForm} from "./schemaform.js";
import {FrameStore, frameTable} from "./log.js";
import {connectorLabel, stateBadge, stationState, vendorModel} from "./dashboard.js";
import {transactionRows} from "./transactions.js";
import {managePanel} from "./manage.js";

/** A nested object as [["chargingStation.model", "X"], ...] for a key/value list. */
function flatten(value, prefix = "", out = []) {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.push([prefix, Array.isArray(value) ? JSON.stringify(value) : String(value)]);
  }
  return out;
}

function keyValues(pairs) {
  return el("dl", {class: "kv"}, pairs.map(([k, v]) => [el("dt", {}, k), el("dd", {}, v ?? "—")]));
}

/** A section whose content comes from fn(), with its own error in words when that fails. */
function loader(box, fn, signal) {
  return async () => {
    try {
      const node = await fn();
      if (!signal.aborted) clear(box, node);
    } catch (e) {
      if (e.name !== "AbortError" && !signal.aborted) clear(box, errorBox(e));
    }
  };
}

function filtered(rows, columns, placeholder, empty) {
  const input = el("input", {type: "search", placeholder, "aria-label": placeholder});
  const out = el("div");
  const draw = () => {
    const w = input.value.trim().toLowerCase();
    const shown = w ? rows.filter(r => JSON.stringify(r).toLowerCase().includes(w)) : rows;
    clear(out, table(columns, shown.slice(0, 300), rows.length ? "Nothing matches." : empty),
      shown.length > 300 ? el("p", {class: "muted"}, `${shown.length - 300} more: narrow the search.`) : null);
  };
  input.addEventListener("input", draw);
  draw();
  return el("div", {}, rows.length > 8 ? input : null, out);
}

function commandsPanel(station, session, signal, onSent) {
  const identity = station.identity;
  const select = el("select", {id: "operation", name: "operation", "aria-label": "Operation"},
    el("option", {value: ""}, "— choose an operation —"));
  const formBox = el("div", {id: "command-form"});
  const send = el("button", {type: "submit", class: "primary", id: "send", disabled: true}, "Send");
  const result = el("div", {id: "command-result", "aria-live": "polite"});
  const readOnly = session && session.auth && session.role === "read";
  let form = null;
  let loading = 0;

  select.addEventListener("change", async () => {
    const op = select.value;
    const mine = ++loading;
    form = null;
    send.disabled = true;
    result.replaceChildren();
    if (!op) { formBox.replaceChildren(); return; }
    clear(formBox, el("p", {class: "muted"}, "Loading the schema…"));
    try {
      const schema = await cached(`/schemas/${enc(station.version)}/${enc(op)}`);
      if (mine !== loading || signal.aborted) return;
      form = schemaForm(schema);
      clear(formBox, form.element);
      send.disabled = readOnly;
    } catch (e) {
      if (mine === loading) clear(formBox, errorBox(e));
    }
  });

  const panel = el("form", {class: "commands", onsubmit: async event => {
    event.preventDefault();
    if (!form) return;
    const op = select.value;
    let payload;
    try { payload = form.value(); } catch (e) { clear(result, errorBox(e)); return; }
    form.markField(null);
    send.disabled = true;
    clear(result, el("p", {class: "muted pending"}, `Sending ${op} to ${identity}… (waiting for the station's answer)`));
    try {
      const answer = await post(`/ChargePoint/${enc(identity)}/${enc(op)}`, payload);
      const status = answer && typeof answer === "object" ? answer.status : undefined;
      clear(result, el("div", {class: "answer", dataset: {operation: op}},
        el("p", {}, `${identity} answered ${op}`, status ? ": " : "", status ? badge(String(status), /^(Accepted|Unlocked)$/.test(status) ? "ok" : "busy") : null),
        el("pre", {class: "json"}, JSON.stringify(answer, null, 2))));
    } catch (e) {
      if (e.name === "AbortError") return;
      clear(result, errorBox(e), e.error && e.error.commandId ? el("p", {class: "muted"}, `Command ${e.error.commandId}`) : null);
      if (e.field) form.markField(e.field);
    } finally {
      send.disabled = readOnly || !form;
      onSent();
    }
  }},
    el("div", {class: "row"}, select, send),
    readOnly ? el("p", {class: "note"}, "Your token is read-only: you may look at the forms but not send.") : null,
    formBox, result);

  cached(`/schemas/${enc(station.version)}`).then(info => {
    select.append(...(info.operations || []).map(op => el("option", {value: op}, op)));
  }, e => panel.prepend(errorBox(e)));
  return panel;
}

function connectorsTable(station) {
  const two = (station.version || "").startsWith("2");
  const evseStatus = Object.fromEntries((station.evses || []).map(e => [e.evseId, e.status]));
  return table([
    {title: two ? "EVSE/connector" : "Connector", cell: c => connectorLabel(station.version, c)},
    {title: "Status", cell: c => statusBadge(c.status)},
    two ? {title: "EVSE status", cell: c => evseStatus[c.evseId] ? statusBadge(evseStatus[c.evseId]) : "—"} : null,
    two ? null : {title: "Error", cell: c => c.errorCode && c.errorCode !== "NoError" ? el("span", {class: "fault-text"}, c.errorCode) : (c.errorCode || "")},
    two ? null : {title: "Info", cell: c => [c.info, c.vendorId, c.vendorErrorCode].filter(Boolean).join(" · ")},
    {title: "Since", class: "nowrap", cell: c => fmtTime(c.timestamp)},
  ].filter(Boolean), station.connectors || [], "No status reported yet.");
}

export async function render(main, {params, signal, session}) {
  const identity = params[0];
  const station = await get(`/stations/${enc(identity)}`, {signal});
  const title = el("h1", {});
  const facts = el("div", {class: "facts"});
  const connectors = el("div", {id: "connectors"});
  const boot = el("div", {id: "boot"});
  const config = el("div", {id: "configuration"}, el("p", {class: "muted"}, "Loading…"));
  const txs = el("div", {id: "station-transactions"}, el("p", {class: "muted"}, "Loading…"));
  const reservations = el("div", {id: "reservations"});
  const profiles = el("div", {id: "charging-profiles"});
  const commands = el("div", {id: "commands"});
  const logBox = el("div", {id: "station-log"});
  const two = (station.version || "").startsWith("2");

  const drawStation = s => {
    const {vendor, model, firmware, serial} = vendorModel(s.boot);
    clear(title, s.identity, " ", stateBadge(stationState(s)));
    clear(facts, keyValues([
      ["OCPP", s.version || "—"], ["Connection", s.transport === "soap" ? "OCPP-S (SOAP over HTTP): no connection to hold"
        : s.connected ? `connected${s.node ? ` to ${s.node}` : ""}` : "offline"],
      ["Last seen", `${ago(s.lastSeen)} (${fmtTime(s.lastSeen)})`], ["Registration", s.registration || "—"],
      ["Vendor / model", `${vendor || "—"} / ${model || "—"}`], ["Firmware", firmware || "—"], ["Serial", serial || "—"],
      s.account ? ["Account", s.account] : null,
    ].filter(Boolean)));
    clear(connectors, connectorsTable(s));
    clear(boot, s.boot ? keyValues(flatten(s.boot)) : el("p", {class: "muted"}, "No BootNotification yet."));
  };

  main.append(
    el("div", {class: "page-head"}, title, el("a", {href: "#/", class: "button"}, "All stations")),
    el("div", {class: "grid"},
      el("div", {class: "col"},
        section("Station", facts),
        section("EVSEs and connectors", connectors),
        section("Commands", commandsPanel(station, session, signal, () => { reloadCommands(); refresh(); })),
        section("Recent commands", commands),
        section("Manage", managePanel(station, session, {
          onChanged: s => { if (s && s.identity) draw(s); refresh(); },
          onDeleted: () => { location.hash = "#/"; },
        }))),
      el("div", {class: "col"},
        section("Live log", logBox),
        section("Recent transactions", txs,
          el("p", {}, el("a", {href: `#/transactions?identity=${encodeURIComponent(identity)}`}, "All transactions of this station"))),
        section(two ? "Device model" : "Configuration", config),
        section("Reservations", reservations),
        section("Charging profiles", profiles),
        section("Boot data", boot))));
  let shown = station;   // what drawStation last drew: a frame from the station moves its "Last seen"
  const draw = s => { shown = s; drawStation(s); };
  draw(station);

  const loadStation = loader(el("div"), async () => { draw(await get(`/stations/${enc(identity)}`, {signal})); }, signal);
  const loadTxs = loader(txs, async () => transactionRows(await get(`/transactions${q({identity, limit: 10})}`, {signal}), {station: false}), signal);
  const loadConfig = loader(config, async () => two
    ? filtered(await get(`/stations/${enc(identity)}/variables`, {signal}), [
        {title: "Component", cell: v => [v.component, v.componentInstance && `(${v.componentInstance})`,
                                         v.evseId ? `EVSE ${v.evseId}${v.connectorId ? `/${v.connectorId}` : ""}` : null].filter(Boolean).join(" ")},
        {title: "Variable", cell: v => [v.variable, v.variableInstance && `(${v.variableInstance})`].filter(Boolean).join(" ")},
        {title: "Type", cell: v => v.attributeType || "Actual"},
        {title: "Value", class: "wide", cell: v => v.value ?? ""},
        {title: "Mutability", cell: v => v.mutability || ""},
      ], "Search the device model", "Nothing reported yet: send GetBaseReport to read the device model.")
    : filtered(await get(`/stations/${enc(identity)}/configuration`, {signal}), [
        {title: "Key", cell: k => k.key},
        {title: "Value", class: "wide", cell: k => k.value ?? ""},
        {title: "", cell: k => k.readonly ? badge("read-only", "idle") : ""},
      ], "Search the keys", "No keys known yet: send GetConfiguration to read them."), signal);
  const loadReservations = loader(reservations, async () => table([
    {title: "Id", cell: r => String(r.reservationId)},
    {title: "EVSE", cell: r => String(r.evseId ?? "")},
    {title: "Id tag", cell: r => r.idTag || ""},
    {title: "Expires", class: "nowrap", cell: r => fmtTime(r.expiryDate)},
    {title: "Status", cell: r => badge(r.status, r.active ? "ok" : "idle")},
  ], await get(`/reservations${q({identity, limit: 10})}`, {signal}), "No reservations."), signal);
  const loadProfiles = loader(profiles, async () => table([
    {title: "Id", cell: p => String(p.id)},
    {title: two ? "EVSE" : "Connector", cell: p => String(p.connectorId)},
    {title: "Purpose", cell: p => p.purpose || ""},
    {title: "Stack", class: "num", cell: p => String(p.stackLevel ?? "")},
    {title: "Kind", cell: p => p.kind || ""},
    {title: "Schedule", class: "wide", cell: p => el("code", {title: JSON.stringify(p.schedule)}, shortJson(p.schedule, 80))},
  ], await get(`/stations/${enc(identity)}/charging-profiles`, {signal}), "No charging profiles installed."), signal);
  const reloadCommands = loader(commands, async () => table([
    {title: "Id", cell: c => String(c.id)},
    {title: "Operation", cell: c => c.action || c.operation || ""},
    {title: "Status", cell: c => badge(c.status, c.status === "answered" ? "ok" : ["queued", "sent"].includes(c.status) ? "busy" : "fault")},
    {title: "Answer", class: "wide", cell: c => el("code", {}, shortJson(c.response ?? c.error, 80))},
  ], await get(`/commands${q({identity, limit: 10})}`, {signal}), "No commands sent yet."), signal);

  // the station's own frames: the newest from the log, then live
  const frames = new FrameStore(300);
  const drawLog = () => clear(logBox, frameTable(frames.rows.slice(0, 60), {station: false}));
  const redrawLog = debounce(drawLog, 100);
  subscribe(identity);
  const stopLive = onLive(m => {
    if (m.type === "frames") {
      const mine = (m.frames || []).filter(f => f.identity === identity);
      if (frames.add(mine)) redrawLog();
      // a heartbeat changes no state (no station NOTIFY) but is the station being seen
      const seen = mine.filter(f => f.direction === "in").map(f => f.createdAt).sort().pop();
      if (seen && (!shown.lastSeen || Date.parse(seen) > Date.parse(shown.lastSeen))) draw({...shown, lastSeen: seen});
    } else if (m.type === "stations" && (m.identities || []).includes(identity)) {
      refresh();
    } else if (m.type === "state" && m.state === "open") {
      subscribe(identity);
      refresh();
    }
  });
  const refresh = debounce(() => { loadStation(); loadTxs(); loadReservations(); loadProfiles(); loadConfig(); }, 300);
  get(`/message-log${q({identity, limit: 50})}`, {signal}).then(rows => { frames.add(rows); drawLog(); },
    e => { if (e.name !== "AbortError") clear(logBox, errorBox(e)); });

  const ageing = setInterval(() => drawStation(shown), 30000);   // "Last seen … ago" keeps counting
  await Promise.all([loadTxs(), loadConfig(), loadReservations(), loadProfiles(), reloadCommands()]);
  return () => { stopLive(); refresh.cancel(); redrawLog.cancel(); clearInterval(ageing); };
}
