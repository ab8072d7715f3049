// The station page's "Manage" panel (docs/webui.md, "Managing a station"): registration (accept a
// Pending station), password (write only: never shown back), minimum security profile, account,
// heartbeat interval, and removing the station. Each action is one REST call (docs/rest-api.md,
// "Stations: manage"); a refusal is shown in the words SQL gave it.
import {clear, el, errorBox} from "./dom.js";
import {API, enc, request} from "./api.js";

const put = (path, body) => request("PUT", API + path, body);

/** The error of a REST answer with SQL's detail, e.g. "Refused: invalid setting value. boot.retry_interval
 * does not accept -5". */
export function refusalBox(e) {
  const detail = e && e.error && e.error.details && e.error.details.detail;
  return el("div", {class: "error", role: "alert"}, e?.message || String(e), detail ? ` ${detail}` : "");
}

/** "" → null, else an integer; throws an Error in words for anything else. */
function optionalInt(text, what) {
  const t = text.trim();
  if (t === "") return null;
  if (!/^-?\d+$/.test(t)) throw new Error(`${what} must be a whole number, or empty to follow the setting.`);
  return Number(t);
}

export function managePanel(station, session, {onChanged, onDeleted}) {
  const identity = station.identity;
  const path = `/stations/${enc(identity)}`;
  const readOnly = Boolean(session && session.auth && session.role === "read");
  const result = el("div", {id: "manage-result", "aria-live": "polite"});

  /** Runs one change; says what was done, or why not. */
  const act = async (button, done, fn) => {
    button.disabled = true;
    try {
      const answer = await fn();
      clear(result, el("p", {class: "ok-text"}, done));
      if (answer && answer.registration) {   // the station as it is now
        registration.value = answer.registration;
        if (accept) accept.hidden = answer.registration !== "Pending";
      }
      onChanged(answer);
    } catch (e) {
      if (e.name !== "AbortError") clear(result, e.status ? refusalBox(e) : errorBox(e));
    } finally {
      button.disabled = readOnly;
    }
  };
  const button = (id, text, onclick, cls) => el("button", {type: "button", id, class: cls, disabled: readOnly, onclick}, text);

  const registration = el("select", {id: "manage-registration", "aria-label": "Registration"},
    ["Accepted", "Pending", "Rejected"].map(s => el("option", {value: s, selected: s === station.registration}, s)));
  const setRegistration = button("manage-set-registration", "Set registration", () => act(setRegistration,
    `Registration set to ${registration.value}: ${identity} gets it at its next BootNotification.`,
    () => put(`${path}/registration`, {status: registration.value})));
  const accept = station.registration === "Pending"
    ? button("manage-accept", "Accept", () => act(accept,
        `${identity} accepted: its next BootNotification is Accepted.`,
        () => put(`${path}/registration`, {status: "Accepted"})), "primary")
    : null;

  const password = el("input", {id: "manage-password", type: "password", autocomplete: "new-password",
                                "aria-label": "New password", placeholder: "new password"});
  const setPassword = button("manage-set-password", "Set password", () => act(setPassword,
    "Password set (stored as a hash; it is not shown again).", async () => {
      const value = password.value;
      password.value = "";     // never kept on the page
      await put(`${path}/password`, {password: value});
      return null;
    }));
  const removePassword = button("manage-remove-password", "Remove password", () => {
    if (!confirm(`Remove the password of ${identity}?`)) return;
    act(removePassword, "Password removed.", async () => { await put(`${path}/password`, {password: null}); return null; });
  });

  const profile = el("select", {id: "manage-security-profile", "aria-label": "Minimum security profile"},
    el("option", {value: ""}, "follow the setting"),
    [0, 1, 2, 3].map(p => el("option", {value: String(p)}, `profile ${p}`)));
  const setProfile = button("manage-set-security-profile", "Set profile", () => act(setProfile,
    profile.value === "" ? "The minimum security profile follows the setting." : `Minimum security profile set to ${profile.value}.`,
    () => put(`${path}/security-profile`, {profile: profile.value === "" ? null : Number(profile.value)})));

  const account = el("input", {id: "manage-account", type: "text", value: station.account || "",
                               "aria-label": "Account", placeholder: "none"});
  const setAccount = button("manage-set-account", "Set account", () => act(setAccount,
    account.value.trim() ? `Account set to ${account.value.trim()}.` : "Account removed.",
    () => put(`${path}/account`, {account: account.value.trim() || null})));

  const heartbeat = el("input", {id: "manage-heartbeat", type: "text", inputmode: "numeric",
                                 "aria-label": "Heartbeat interval (seconds)", placeholder: "seconds (empty: the setting)"});
  const setHeartbeat = button("manage-set-heartbeat", "Set interval", () => act(setHeartbeat,
    heartbeat.value.trim() ? `Heartbeat interval set to ${heartbeat.value.trim()} s: the next BootNotification answers it.`
      : "The heartbeat interval follows the setting.",
    () => put(`${path}/heartbeat-interval`, {seconds: optionalInt(heartbeat.value, "The heartbeat interval")})));

  const remove = button("manage-delete", "Delete station", async () => {
    if (!confirm(`Delete ${identity} with its transactions, commands and other rows? The message log keeps its frames.`)) return;
    remove.disabled = true;
    try {
      await request("DELETE", API + path);
      onDeleted();
    } catch (e) {
      clear(result, e.status ? refusalBox(e) : errorBox(e));
      remove.disabled = readOnly;
    }
  }, "danger");

  const row = (label, ...controls) => el("div", {class: "row manage-row"}, el("span", {class: "manage-label"}, label), ...controls);
  return el("div", {id: "manage", class: "manage"},
    readOnly ? el("p", {class: "note"}, "Your token is read-only: you may look but not change the station.") : null,
    row("Registration", registration, setRegistration, accept),
    row("Password", password, setPassword, removePassword),
    row("Security profile", profile, setProfile),
    row("Account", account, setAccount),
    row("Heartbeat", heartbeat, setHeartbeat),
    row("Remove", remove),
    result);
}
