// The one way the UI talks to the server: fetch with the session cookie, JSON in and out, and every
// failure turned into an ApiError whose message is a sentence a person can act on.

export const API = "/api/v1";

export class ApiError extends Error {
  constructor(status, code, message, error = {}) {
    super(message);
    this.status = status;   // HTTP status, 0 when the server could not be reached
    this.code = code;       // error.code of the answer (OCPP error code for a CALLERROR)
    this.field = error.field;
    this.error = error;     // the answer's whole "error" object
  }
}

// Set by app.js: what to do when the server says we are not signed in.
let unauthorized = () => {};
export function onUnauthorized(fn) { unauthorized = fn; }

/** The words for an error answer of the REST API or of /ui/session. */
export function describe(status, method, error) {
  const code = error.code || "";
  const text = error.description || "";
  switch (status) {
    case 400:
      if (error.field) return `Refused, the request does not fit the schema: field "${error.field}": ${text || code}.`;
      return `Refused: ${text || code || "bad request"}.`;
    case 401: return "You are not signed in, or your session has ended.";
    case 403: return method === "GET" ? `Not allowed: ${text || "forbidden"}.` : "Your token is read-only: it may look but not send commands or change anything.";
    case 404: return `Not found: ${text || "no such thing"}.`;
    case 502: return `The station answered with an error (CALLERROR): ${code}${text ? ` — ${text}` : ""}.`;
    case 503:
      if (code === "Offline") return "The station is offline: the command was not sent.";
      if (code === "Timeout") return `The station did not answer in time (timed out)${text ? `: ${text}` : ""}.`;
      if (code === "Interrupted") return "The connection to the station closed before it answered.";
      if (code === "Cancelled") return "The command was cancelled before it was sent.";
      return `The command was not delivered (${code || "unavailable"})${text ? `: ${text}` : ""}.`;
    default:
      if (status >= 500) return `The server failed (${status}${code ? ` ${code}` : ""})${text ? `: ${text}` : ""}.`;
      return `Unexpected answer ${status}${text ? `: ${text}` : ""}.`;
  }
}

export async function request(method, path, body, {signal, contentType, onResponse} = {}) {
  const init = {method, credentials: "same-origin", headers: {Accept: "application/json"}, signal};
  if (body !== undefined) {
    // contentType: a body sent as the text it is (a CSV file, say); else JSON
    init.headers["Content-Type"] = contentType || "application/json";
    init.body = contentType ? body : JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    if (e.name === "AbortError") throw e;
    throw new ApiError(0, "NetworkError", "The server cannot be reached: the network is down or the server stopped.");
  }
  if (onResponse) onResponse(response);   // onResponse: sees the headers (X-Total-Count, say)
  let text;
  try {
    text = await response.text();
  } catch (e) {   // the connection broke mid-answer (a server stopping, say)
    if (e.name === "AbortError") throw e;
    throw new ApiError(0, "NetworkError", "The server's answer was cut off: the network is down or the server stopped.");
  }
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (response.ok && text && data === null && text.trim() !== "null") {
    throw new ApiError(response.status, "BadAnswer", "The server's answer was not JSON.");
  }
  if (response.ok) return data;
  const error = (data && typeof data.error === "object" && data.error) || {description: text.slice(0, 200)};
  if (response.status === 401) unauthorized();
  throw new ApiError(response.status, error.code || String(response.status), describe(response.status, method, error), error);
}

export const get = (path, opts) => request("GET", API + path, undefined, opts);
export const post = (path, body, opts) => request("POST", API + path, body, opts);

/** ?a=1&b=2 of the parameters that have a value. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

export const enc = encodeURIComponent;

// Schemas change only with the server: kept for the page's life.
const schemaCache = new Map();
export function cached(path) {
  if (!schemaCache.has(path)) {
    const p = get(path);
    p.catch(() => schemaCache.delete(path));
    schemaCache.set(path, p);
  }
  return schemaCache.get(path);
}

/** GET a list and the total the server counts (X-Total-Count): {items, total}; total null when absent. */
export async function getCounted(path, opts = {}) {
  let total = null;
  const items = await get(path, {...opts, onResponse: r => {
    const n = r.headers.get("X-Total-Count");
    total = n === null || n === "" || isNaN(Number(n)) ? null : Number(n);
  }});
  return {items, total};
}
