// The shell: session check, hash router, header and banner. Each page module exports
// render(main, ctx) and may return a cleanup function, called when the page is left.
import {clear, el, errorBox} from "./dom.js";
import {ApiError, onUnauthorized, request} from "./api.js";
import * as live from "./live.js";
import * as dashboard from "./dashboard.js";
import * as station from "./station.js";
import * as transactions from "./transactions.js";
import * as log from "./log.js";
import * as sites from "./sites.js";
import * as tags from "./tags.js";
import * as signin from "./signin.js";
import * as settings from "./settings.js";

const ROUTES = [
  {pattern: /^\/$/, nav: "dashboard", render: dashboard.render, title: "Stations"},
  {pattern: /^\/stations\/([^/]+)$/, nav: "dashboard", render: station.render, title: "Station"},
  {pattern: /^\/transactions$/, nav: "transactions", render: transactions.renderList, title: "Transactions"},
  {pattern: /^\/transactions\/([^/]+)$/, nav: "transactions", render: transactions.renderDetail, title: "Transaction"},
  {pattern: /^\/log$/, nav: "log", render: log.render, title: "Live log"},
  {pattern: /^\/sites$/, nav: "sites", render: sites.renderList, title: "Sites"},
  {pattern: /^\/sites\/([^/]+)$/, nav: "sites", render: sites.renderSite, title: "Site"},
  {pattern: /^\/settings$/, nav: "settings", render: settings.render, title: "Settings"},
  {pattern: /^\/tags$/, nav: "tags", render: tags.render, title: "Id tags"},
  {pattern: /^\/signin$/, nav: null, render: signin.render, title: "Sign in", open: true},
];

const main = document.getElementById("main");
// null: not asked yet; false: not signed in; else the /ui/session answer {auth, role, demo}
let session = null;
let leave = null;          // the current page's cleanup
let controller = null;     // aborts the current page's requests when it is left
let returnTo = "#/";
let stopLiveState = null;

function parseHash() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path, q = ""] = raw.split("?");
  return {path: path || "/", query: new URLSearchParams(q)};
}

export function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

async function loadSession() {
  try {
    session = await request("GET", "/ui/session");
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) session = false;
    else throw e;
  }
  showChrome();
}

function showChrome() {
  const on = Boolean(session);
  document.getElementById("nav").hidden = !on;
  document.getElementById("signout").hidden = !(on && session.auth);
  document.getElementById("who").textContent = on && session.auth
    ? (session.role === "read" ? "read-only" : session.role || "") : "";
  const banner = document.getElementById("banner");
  const open = on && (!session.auth || session.demo);
  banner.hidden = !open;
  banner.textContent = open
    ? "Authentication is off (demo mode): anyone who can reach this server can see and control every station." : "";
  const state = document.getElementById("live-state");
  state.hidden = !on;
  if (on && !stopLiveState) {
    stopLiveState = live.onLive(message => {
      if (message.type !== "state") return;
      state.textContent = message.state === "open" ? "● live" : "○ reconnecting…";
      state.className = `live-state ${message.state === "open" ? "on" : "off"}`;
      state.title = message.state === "open" ? "Live updates are on" : "Live updates are off; reconnecting";
    });
  }
}

function signedOut() {
  session = false;
  if (stopLiveState) { stopLiveState(); stopLiveState = null; }
  live.stop();
  showChrome();
}

onUnauthorized(() => {
  if (session === false && parseHash().path === "/signin") return;
  const here = location.hash || "#/";
  if (!here.startsWith("#/signin")) returnTo = here;
  signedOut();
  navigate("#/signin");
});

async function route() {
  if (leave) { try { leave(); } catch (e) { console.error(e); } leave = null; }
  if (controller) controller.abort();
  controller = new AbortController();
  const signal = controller.signal;
  const {path, query} = parseHash();
  const match = ROUTES.map(r => ({r, m: r.pattern.exec(path)})).find(x => x.m);
  for (const a of document.querySelectorAll("#nav a")) a.classList.toggle("active", match && a.dataset.nav === match.r.nav);
  try {
    if (session === null) await loadSession();
  } catch (e) {
    clear(main, el("h1", {}, "ocpp-cs"), errorBox(e),
      el("button", {type: "button", onclick: () => route()}, "Try again"));
    return;
  }
  if (signal.aborted) return;
  if (!match) {
    clear(main, el("h1", {}, "Not found"), el("p", {}, "There is no such page. ", el("a", {href: "#/"}, "Back to the stations.")));
    return;
  }
  if (!session && !match.r.open) {
    // (a 401 on the way here may already have moved us to #/signin, remembering where we were)
    const here = location.hash || "#/";
    if (!here.startsWith("#/signin")) returnTo = here;
    navigate("#/signin");
    return;
  }
  document.title = `${match.r.title} · ocpp-cs`;
  clear(main);
  const ctx = {
    params: match.m.slice(1).map(decodeURIComponent), query, signal, session,
    signedIn(answer) {
      session = answer;
      // The socket with the new cookie first: showChrome then finds it and opens no second one
      // (a second would abort the first's handshake).
      live.restart();
      showChrome();
      const back = returnTo;
      returnTo = "#/";
      navigate(back.startsWith("#/signin") ? "#/" : back);
    },
  };
  try {
    const cleanup = await match.r.render(main, ctx);
    if (signal.aborted) { if (typeof cleanup === "function") cleanup(); return; }
    leave = typeof cleanup === "function" ? cleanup : null;
  } catch (e) {
    if (e.name === "AbortError" || signal.aborted) return;
    console.error(e);
    main.append(errorBox(e instanceof ApiError ? e : new Error(`This page failed: ${e.message}`)));
  }
}

document.getElementById("signout").addEventListener("click", async () => {
  try { await request("DELETE", "/ui/session"); } catch (e) { console.error(e); }
  returnTo = "#/";
  signedOut();
  navigate("#/signin");
});

window.addEventListener("hashchange", route);
route();
