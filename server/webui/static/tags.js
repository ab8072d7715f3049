// Id tags (docs/webui.md, "Id tags"): search by text and status, page by page, with how many match
// (X-Total-Count); a form to add or change a tag (status, expiry, group = parentIdTag, and the OCPP
// 2.0.1 details: token type, groupIdToken, EVSEs, charging priority, languages, personal message);
// block and delete; import a CSV file (all or nothing: a refusal lists every bad line) and export
// them all as CSV. Everything through /api/v1/id-tags; the server checks every value.
import {append, badge, clear, debounce, el, errorBox, fmtTime, section, table} from "./dom.js";
import {API, ApiError, enc, getCounted, post, query as q, request} from "./api.js";

const PAGE = 50;
const STATUSES = ["Accepted", "Blocked", "Expired", "Invalid"];
const statusCls = s => ({Accepted: "ok", Blocked: "fault"})[s] || "idle";
// OCPP 2.0.1 IdTokenEnumType and MessageFormatEnumType
const TOKEN_TYPES = ["Central", "eMAID", "ISO14443", "ISO15693", "KeyCode", "Local", "MacAddress", "NoAuthorization"];
const FORMATS = ["UTF8", "ASCII", "HTML", "URI"];

/** The 2.0.1 details of a tag in a few words for the list ("" when none). */
function detailsText(t) {
  const parts = [];
  if (t.groupIdToken) parts.push(`group ${t.groupIdToken}${t.groupTokenType ? ` (${t.groupTokenType})` : ""}`);
  if (t.evseIds && t.evseIds.length) parts.push(`EVSE ${t.evseIds.join(", ")}`);
  if (t.chargingPriority !== null && t.chargingPriority !== undefined) parts.push(`priority ${t.chargingPriority}`);
  const languages = [t.language1, t.language2].filter(Boolean);
  if (languages.length) parts.push(languages.join("/"));
  if (t.personalMessage) parts.push(`“${t.personalMessage.content}”`);
  return parts.join(" · ");
}

/** "1, 2" as [1, 2]; the text itself when it is not a list of integers (the server names the fault). */
function evseList(text) {
  const parts = text.trim().split(/[\s,;]+/).filter(Boolean);
  if (!parts.length) return null;
  return parts.every(p => /^\d+$/.test(p)) ? parts.map(Number) : text.trim();
}

/** An ISO time as a datetime-local input's value (local time), "" for none. */
function localInput(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (isNaN(d)) return "";
  const pad = n => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function problem(e) {
  const lines = e instanceof ApiError && e.error?.details?.lines;
  return el("div", {}, errorBox(e), lines && lines.length
    ? el("ul", {class: "error-lines", id: "tag-import-errors"}, lines.map(l => el("li", {}, l))) : null);
}

export async function render(main, {session, signal}) {
  const readOnly = Boolean(session && session.auth && session.role === "read");
  const message = el("div", {id: "tag-message", "aria-live": "polite"});
  const say = (...nodes) => clear(message, ...nodes);

  // --- the list ---
  const search = el("input", {type: "search", id: "tag-search", placeholder: "idTag or group contains…",
    "aria-label": "Search id tags"});
  const status = el("select", {id: "tag-status", "aria-label": "Status"}, el("option", {value: ""}, "any status"),
    STATUSES.map(s => el("option", {value: s}, s)));
  const prev = el("button", {type: "button", id: "tag-prev", disabled: true}, "← Previous");
  const next = el("button", {type: "button", id: "tag-next", disabled: true}, "Next →");
  const pageNo = el("span", {class: "muted", id: "tag-page"});
  const count = el("span", {class: "muted", id: "tag-count"});
  const list = el("div", {id: "tags"});
  let offset = 0;

  const load = async () => {
    try {
      const {items: tags, total} = await getCounted(`/id-tags${q({q: search.value.trim(), status: status.value, limit: PAGE + 1, offset})}`, {signal});
      if (signal.aborted) return;
      count.textContent = total === null ? "" : `${total} ${total === 1 ? "tag" : "tags"}`;
      prev.disabled = offset === 0;
      next.disabled = tags.length <= PAGE;
      const pages = total === null ? null : Math.max(1, Math.ceil(total / PAGE));
      pageNo.textContent = offset || tags.length > PAGE ? `page ${offset / PAGE + 1}${pages ? ` of ${pages}` : ""}` : "";
      clear(list, table([
        {title: "Id tag", cell: t => el("code", {}, t.idTag)},
        {title: "Status", cell: t => badge(t.status, statusCls(t.status))},
        {title: "Expires", class: "nowrap", cell: t => t.expiryDate ? fmtTime(t.expiryDate) : "—"},
        {title: "Group", cell: t => t.parentIdTag || "—"},
        {title: "Type", cell: t => t.tokenType || "any"},
        {title: "2.0.1 details", class: "tag-details", cell: t => detailsText(t) || "—"},
        {title: "Changed", class: "nowrap", cell: t => fmtTime(t.updatedAt)},
        {title: "", class: "nowrap", cell: t => el("span", {class: "row-actions"},
          el("button", {type: "button", class: "tag-edit", onclick: () => edit(t)}, "Edit"),
          el("button", {type: "button", class: "tag-block", disabled: readOnly || t.status === "Blocked",
            onclick: () => act(async () => {
              await post(`/id-tags/${enc(t.idTag)}/block`);
              return `Blocked ${t.idTag}.`;
            })}, "Block"),
          el("button", {type: "button", class: "tag-delete danger", disabled: readOnly, onclick: () => {
            if (confirm(`Delete the id tag ${t.idTag}?`)) {
              act(async () => {
                await request("DELETE", `${API}/id-tags/${enc(t.idTag)}`);
                return `Deleted ${t.idTag}.`;
              });
            }
          }}, "Delete"))},
      ], tags.slice(0, PAGE), search.value || status.value ? "No id tag matches." : "No id tag yet: add one below or import a CSV file."));
    } catch (e) {
      if (e.name !== "AbortError" && !signal.aborted) clear(list, errorBox(e));
    }
  };
  const reload = debounce(() => { offset = 0; load(); }, 300);
  search.addEventListener("input", reload);
  status.addEventListener("change", () => { offset = 0; load(); });
  prev.addEventListener("click", () => { offset = Math.max(0, offset - PAGE); load(); });
  next.addEventListener("click", () => { offset += PAGE; load(); });

  /** Runs fn (a change), says what it did (its answer) or why it failed, and reloads the list. */
  async function act(fn) {
    try {
      say(el("p", {class: "ok-text"}, await fn()));
    } catch (e) {
      if (e.name !== "AbortError") say(problem(e));
    }
    await load();
  }

  // --- add or change ---
  const idTag = el("input", {id: "tag-id", name: "idTag", required: true, maxlength: 36, autocomplete: "off"});
  const formStatus = el("select", {id: "tag-form-status", name: "status"}, STATUSES.map(s => el("option", {value: s}, s)));
  const expiry = el("input", {id: "tag-expiry", name: "expiryDate", type: "datetime-local"});
  const parent = el("input", {id: "tag-parent", name: "parentIdTag", maxlength: 36, autocomplete: "off"});
  // the OCPP 2.0.1 details: "" is none (null to the server)
  const tokenType = el("select", {id: "tag-token-type", name: "tokenType"}, el("option", {value: ""}, "any type"),
    TOKEN_TYPES.map(x => el("option", {value: x}, x)));
  const groupToken = el("input", {id: "tag-group-token", name: "groupIdToken", maxlength: 36, autocomplete: "off"});
  const groupType = el("select", {id: "tag-group-type", name: "groupTokenType"}, el("option", {value: ""}, "—"),
    TOKEN_TYPES.map(x => el("option", {value: x}, x)));
  const evses = el("input", {id: "tag-evses", name: "evseIds", placeholder: "every EVSE", autocomplete: "off",
    title: "EVSE ids separated by commas or spaces; empty: every EVSE"});
  const priority = el("input", {id: "tag-priority", name: "chargingPriority", type: "number", min: -9, max: 9, step: 1});
  const language1 = el("input", {id: "tag-language1", name: "language1", maxlength: 8, size: 6, placeholder: "en"});
  const language2 = el("input", {id: "tag-language2", name: "language2", maxlength: 8, size: 6});
  const messageFormat = el("select", {id: "tag-message-format", name: "personalMessageFormat"},
    FORMATS.map(x => el("option", {value: x}, x)));
  const messageLanguage = el("input", {id: "tag-message-language", name: "personalMessageLanguage", maxlength: 8, size: 6});
  const messageContent = el("input", {id: "tag-message-content", name: "personalMessageContent", maxlength: 512,
    placeholder: "shown to the driver", autocomplete: "off"});
  const save = el("button", {type: "submit", class: "primary", id: "tag-save", disabled: readOnly}, "Add");
  const cancel = el("button", {type: "button", id: "tag-new", hidden: true}, "New tag instead");
  const formTitle = el("h2", {}, "Add an id tag");
  let editing = null;

  function edit(t) {
    editing = t ? t.idTag : null;
    idTag.value = t ? t.idTag : "";
    idTag.readOnly = Boolean(t);
    formStatus.value = t ? t.status : "Accepted";
    expiry.value = t ? localInput(t.expiryDate) : "";
    parent.value = t ? t.parentIdTag || "" : "";
    tokenType.value = (t && t.tokenType) || "";
    groupToken.value = (t && t.groupIdToken) || "";
    groupType.value = (t && t.groupTokenType) || "";
    evses.value = t && t.evseIds ? t.evseIds.join(", ") : "";
    priority.value = t && t.chargingPriority !== null && t.chargingPriority !== undefined ? String(t.chargingPriority) : "";
    language1.value = (t && t.language1) || "";
    language2.value = (t && t.language2) || "";
    messageFormat.value = (t && t.personalMessage && t.personalMessage.format) || "UTF8";
    messageLanguage.value = (t && t.personalMessage && t.personalMessage.language) || "";
    messageContent.value = (t && t.personalMessage && t.personalMessage.content) || "";
    formTitle.textContent = t ? `Change ${t.idTag}` : "Add an id tag";
    save.textContent = t ? "Save" : "Add";
    cancel.hidden = !t;
    if (t) idTag.closest("form").scrollIntoView({block: "nearest"});
  }
  cancel.addEventListener("click", () => edit(null));

  const form = el("form", {id: "tag-form", class: "filters", onsubmit: event => {
    event.preventDefault();
    const body = {status: formStatus.value, expiryDate: expiry.value ? new Date(expiry.value).toISOString() : null,
      parentIdTag: parent.value.trim() || null,
      tokenType: tokenType.value || null, groupIdToken: groupToken.value.trim() || null,
      groupTokenType: groupType.value || null, evseIds: evseList(evses.value),
      chargingPriority: priority.value === "" ? null : Number(priority.value),
      language1: language1.value.trim() || null, language2: language2.value.trim() || null,
      personalMessage: messageContent.value.trim() ? {format: messageFormat.value, content: messageContent.value.trim(),
        ...(messageLanguage.value.trim() ? {language: messageLanguage.value.trim()} : {})} : null};
    const tag = idTag.value.trim();
    const was = editing;
    act(async () => {
      if (was) await request("PUT", `${API}/id-tags/${enc(was)}`, body);
      else await post("/id-tags", {idTag: tag, ...body});
      edit(null);
      return was ? `Saved ${tag}.` : `Added ${tag}.`;
    });
  }},
  el("label", {}, "Id tag ", idTag),
  el("label", {}, "Status ", formStatus),
  el("label", {}, "Expires ", expiry),
  el("label", {}, "Group (parentIdTag) ", parent),
  el("fieldset", {class: "tag-201", id: "tag-201"}, el("legend", {}, "OCPP 2.0.1 details"),
    el("label", {}, "Token type ", tokenType),
    el("label", {}, "Group id token ", groupToken),
    el("label", {}, "Group type ", groupType),
    el("label", {}, "EVSEs ", evses),
    el("label", {}, "Charging priority ", priority),
    el("label", {}, "Language 1 ", language1),
    el("label", {}, "Language 2 ", language2),
    el("label", {}, "Personal message ", messageContent),
    el("label", {}, "format ", messageFormat),
    el("label", {}, "language ", messageLanguage)),
  save, cancel);

  // --- CSV ---
  const file = el("input", {type: "file", id: "tag-import", accept: ".csv,text/csv", disabled: readOnly,
    "aria-label": "Import id tags from a CSV file"});
  file.addEventListener("change", async () => {
    const chosen = file.files[0];
    if (!chosen) return;
    say(el("p", {class: "muted"}, `Importing ${chosen.name}…`));
    await act(async () => {
      const result = await post("/id-tags/import", await chosen.text(), {contentType: "text/csv"});
      return `Imported ${result.imported} id tags from ${chosen.name} (${result.added} new, ${result.changed} changed).`;
    });
    file.value = "";
  });
  const exportLink = el("a", {href: `${API}/id-tags.csv`, download: "id-tags.csv", class: "button", id: "tag-export"}, "Export CSV");

  append(main, [
    el("div", {class: "page-head"}, el("h1", {}, "Id tags"),
      el("span", {class: "row-actions"}, el("label", {class: "button"}, "Import CSV… ", file), exportLink)),
    readOnly ? el("p", {class: "note"}, "Your token is read-only: you may look but not change id tags.") : null,
    message,
    el("div", {class: "filters"}, search, status, prev, next, pageNo, count),
    list,
    el("section", {class: "card"}, formTitle, form,
      el("p", {class: "muted"}, "CSV import: a header naming idTag and any of status, expiryDate, parentIdTag; "
        + "one tag a line. All or nothing: one bad line and nothing changes."),
      el("p", {class: "muted", id: "tag-csv-201"}, "The 2.0.1 columns tokenType, groupIdToken, groupTokenType, evseIds "
        + "(separated by spaces), chargingPriority, language1, language2, personalMessageFormat, "
        + "personalMessageLanguage, personalMessageContent may follow; a column left out keeps the tags' values. "
        + "The export puts a ' before a field starting with = + - or @ so that a spreadsheet does not run it "
        + "as a formula; the import takes it off again."))]);
  await load();
  return () => reload.cancel();
}
