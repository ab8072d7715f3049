// Id tags (docs/webui.md, "Id tags"): search by text and status, page by page; a form to add or change
// a tag (status, expiry, group = parentIdTag); block and delete; import a CSV file (all or nothing:
// a refusal lists every bad line) and export them all as CSV. Everything through /api/v1/id-tags.
import {append, badge, clear, debounce, el, errorBox, fmtTime, section, table} from "./dom.js";
import {API, ApiError, enc, get, post, query as q, request} from "./api.js";

const PAGE = 50;
const STATUSES = ["Accepted", "Blocked", "Expired", "Invalid"];
const statusCls = s => ({Accepted: "ok", Blocked: "fault"})[s] || "idle";

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
  const pageNo = el("span", {class: "muted"});
  const list = el("div", {id: "tags"});
  let offset = 0;

  const load = async () => {
    try {
      const tags = await get(`/id-tags${q({q: search.value.trim(), status: status.value, limit: PAGE + 1, offset})}`, {signal});
      if (signal.aborted) return;
      prev.disabled = offset === 0;
      next.disabled = tags.length <= PAGE;
      pageNo.textContent = offset || tags.length > PAGE ? `page ${offset / PAGE + 1}` : "";
      clear(list, table([
        {title: "Id tag", cell: t => el("code", {}, t.idTag)},
        {title: "Status", cell: t => badge(t.status, statusCls(t.status))},
        {title: "Expires", class: "nowrap", cell: t => t.expiryDate ? fmtTime(t.expiryDate) : "—"},
        {title: "Group", cell: t => t.parentIdTag || "—"},
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
    formTitle.textContent = t ? `Change ${t.idTag}` : "Add an id tag";
    save.textContent = t ? "Save" : "Add";
    cancel.hidden = !t;
    if (t) idTag.closest("form").scrollIntoView({block: "nearest"});
  }
  cancel.addEventListener("click", () => edit(null));

  const form = el("form", {id: "tag-form", class: "filters", onsubmit: event => {
    event.preventDefault();
    const body = {status: formStatus.value, expiryDate: expiry.value ? new Date(expiry.value).toISOString() : null,
      parentIdTag: parent.value.trim() || null};
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
    el("div", {class: "filters"}, search, status, prev, next, pageNo),
    list,
    el("section", {class: "card"}, formTitle, form,
      el("p", {class: "muted"}, "CSV import: a header naming idTag and any of status, expiryDate, parentIdTag; "
        + "one tag a line. All or nothing: one bad line and nothing changes."))]);
  await load();
  return () => reload.cancel();
}
