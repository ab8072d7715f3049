// The live WebSocket /ui/live: one socket for the whole page, reconnecting with backoff. Pages listen
// with onLive(fn) and choose whose frames they want with subscribe(identity | null | false) (false:
// no frames at all, only station changes).

const listeners = new Set();
let socket = null;
let wanted = null;          // the identity whose frames we want; null = every station; false = none
let backoff = 500;          // ms before the next reconnect; doubles up to MAX_BACKOFF
const MAX_BACKOFF = 15000;
let timer = null;
let state = "closed";

export function liveState() { return state; }

function emit(message) {
  for (const fn of [...listeners]) {
    try { fn(message); } catch (e) { console.error("live listener", e); }
  }
}

function setState(next) {
  state = next;
  emit({type: "state", state});
}

function sendSubscribe() {
  if (socket && socket.readyState === WebSocket.OPEN) {
    socket.send(JSON.stringify(wanted === false ? {type: "subscribe", frames: false}
                                                : {type: "subscribe", identity: wanted}));
  }
}

function connect() {
  clearTimeout(timer);
  timer = null;
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ui/live`;
  let ws;
  try { ws = new WebSocket(url); } catch { return retry(); }
  socket = ws;
  setState("connecting");
  ws.onopen = () => {
    backoff = 500;
    setState("open");
    sendSubscribe();
  };
  ws.onmessage = event => {
    let message;
    try { message = JSON.parse(event.data); } catch { return; }
    if (message && typeof message.type === "string") emit(message);
  };
  ws.onclose = () => {
    if (socket !== ws) return;
    socket = null;
    retry();
  };
}

function retry() {
  setState("closed");
  if (timer) return;
  timer = setTimeout(connect, backoff);
  backoff = Math.min(backoff * 2, MAX_BACKOFF);
}

/** Starts the socket (once); fn gets every message: frames, stations, dropped, and state changes. */
export function onLive(fn) {
  listeners.add(fn);
  if (!socket && !timer) connect();
  return () => listeners.delete(fn);
}

export function subscribe(identity) {
  wanted = identity === false ? false : identity ?? null;
  sendSubscribe();
}

/** Reconnects now (after signing in), or closes for good (signing out). */
export function restart() {
  backoff = 500;
  if (socket) { const s = socket; socket = null; s.close(); }
  connect();
}

export function stop() {
  clearTimeout(timer);
  timer = null;
  if (socket) { const s = socket; socket = null; s.close(); }
  setState("closed");
}
