// Sign-in: an API token (ocpp-cs token create NAME --role operator|read) becomes a session cookie.
import {el, errorBox} from "./dom.js";
import {request} from "./api.js";

export async function render(main, ctx) {
  const token = el("input", {type: "password", id: "token", name: "token", autocomplete: "current-password",
                             required: true, placeholder: "ocs_…", spellcheck: "false"});
  const message = el("div", {class: "message"});
  const button = el("button", {type: "submit", class: "primary"}, "Sign in");
  const form = el("form", {class: "card signin", onsubmit: async event => {
    event.preventDefault();
    message.replaceChildren();
    if (!token.value.trim()) {
      message.append(errorBox(new Error("Enter a token.")));
      return;
    }
    button.disabled = true;
    try {
      const answer = await request("POST", "/ui/session", {token: token.value.trim()});
      token.value = "";
      ctx.signedIn(answer);
    } catch (e) {
      message.append(errorBox(e.status === 401 ? new Error("That token is not valid (wrong, revoked or mistyped).") : e));
      button.disabled = false;
    }
  }},
    el("h1", {}, "Sign in"),
    el("p", {class: "muted"}, "Paste an API token. An operator creates one with ",
      el("code", {}, "ocpp-cs token create NAME --role operator"), " (or ", el("code", {}, "--role read"),
      " for a token that may only look)."),
    el("label", {for: "token"}, "Token"), token, button, message);
  main.append(form);
  // Already signed in, or authentication is off: say so instead of asking.
  if (ctx.session) {
    message.append(el("p", {}, ctx.session.auth ? "You are signed in. " : "Authentication is off: no token is needed. ",
      el("a", {href: "#/"}, "Go to the stations.")));
  }
  token.focus();
}
