"""Security headers on every HTTP answer of the server (pages, static files, the REST API, errors,
WebSocket handshakes), set in one place: an on_response_prepare signal, so no handler can forget them.

The web UI is static files and native ES modules with no inline script or style, so its policy
allows only this origin (`connect-src 'self'` covers fetch and, in CSP 3, the same-origin /ui/live
WebSocket). The Swagger UI at /docs/ draws its icons as data: SVGs in its stylesheet and sets
inline styles, so it gets a policy of its own with those two allowances and nothing else.
"""
from __future__ import annotations

from aiohttp import web

POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
          "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
          "form-action 'self'; frame-ancestors 'none'")
DOCS_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
               "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
DOCS = "/docs/"

HEADERS = {
    "X-Frame-Options": "DENY",             # frame-ancestors for browsers without CSP 2
    "X-Content-Type-Options": "nosniff",   # a JSON answer or an uploaded text is never run as script
    "Referrer-Policy": "no-referrer",      # station identities in URLs stay on this server
}


async def security_headers(request: web.BaseRequest, response: web.StreamResponse) -> None:
    response.headers["Content-Security-Policy"] = (
        DOCS_POLICY if request.path.startswith(DOCS) else POLICY)
    for name, value in HEADERS.items():
        response.headers[name] = value


def setup_headers(app: web.Application) -> None:
    app.on_response_prepare.append(security_headers)
