"""The web UI's routes. The pages are static files (static/, native ES modules: nothing to build);
they read and act through the REST API (/api/v1), so the UI can do nothing the API cannot.

  GET /                  the single page (static/index.html); its routes are #/... fragments
  GET /favicon.ico       the icon (static/favicon.svg), for clients that do not read the page's link
  GET /ui/...            the files of static/
  GET|POST|DELETE /ui/session
                         who is signed in / sign in with an API token / sign out. The token goes in an
                         HttpOnly, SameSite=Strict cookie that the API accepts in place of a Bearer header.
  GET /ui/live           the live feed (WebSocket; live.py); 403 for a page of another origin
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import orjson
from aiohttp import web

from ..api.auth import (SESSION_COOKIE, auth_enabled, request_token, same_origin, token_role,
                        unauthorized)
from ..api.http import api_errors, error_response, json_body, text_field
from ..keys import API_QUERIES, CONFIG, LIVE

log = logging.getLogger("ocpp_cs.webui")

STATIC = Path(__file__).with_name("static")
COOKIE_MAX_AGE = 12 * 3600  # seconds a sign-in lasts in the browser


async def session_role(request: web.Request) -> str | None:
    """The role of whoever sends request (operator for everyone when authentication is off)."""
    if not auth_enabled(request.config_dict[CONFIG]):
        return "operator"
    token, _ = request_token(request)
    return await token_role(request.config_dict[API_QUERIES], token)


def session_json(request: web.Request, role: str) -> web.Response:
    config = request.config_dict[CONFIG]
    body: dict[str, Any] = {"auth": auth_enabled(config), "role": role, "demo": config.api.demo}
    return web.json_response(body, dumps=lambda v: orjson.dumps(v).decode())


async def get_session(request: web.Request) -> web.Response:
    role = await session_role(request)
    return session_json(request, role) if role else unauthorized()


async def sign_in(request: web.Request) -> web.Response:
    token = (text_field(await json_body(request), "token") or "").strip()
    role = await token_role(request.config_dict[API_QUERIES], token)
    if role is None:
        return error_response(401, "Unauthorized", "this token is not valid (wrong, or revoked)")
    response = session_json(request, role)
    response.set_cookie(SESSION_COOKIE, token, max_age=COOKIE_MAX_AGE, httponly=True,
                        samesite="Strict", path="/", secure=request.secure)
    return response


async def sign_out(request: web.Request) -> web.Response:
    response = web.Response(status=204)
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


async def live(request: web.Request) -> web.StreamResponse:
    # Browsers do not apply SameSite or CORS to a WebSocket handshake, so a page of another site
    # could open this socket with the signed-in cookie and read the feed; it is refused by its
    # Origin. Tools that send no Origin (with a token) are no browser page and pass.
    if not same_origin(request):
        return error_response(403, "Forbidden", "the live feed is for this server's own pages, "
                              f"not for {request.headers['Origin']}")
    if await session_role(request) is None:
        return unauthorized()
    ws = web.WebSocketResponse(heartbeat=30)
    try:
        await ws.prepare(request)
    except ConnectionResetError:
        # A page left, or restarted its socket, while the token was checked: normal use.
        log.debug("live feed: the browser left during the handshake (%s)", request.remote)
        raise web.HTTPBadRequest() from None  # nobody is there to read it; aiohttp logs no error
    await request.config_dict[LIVE].serve(ws)
    return ws


async def index(request: web.Request) -> web.FileResponse:
    response = web.FileResponse(STATIC / "index.html")
    response.headers["Cache-Control"] = "no-cache"
    return response


async def favicon(request: web.Request) -> web.FileResponse:
    # for clients that ask /favicon.ico without reading the page's <link rel="icon">
    response = web.FileResponse(STATIC / "favicon.svg")
    response.content_type = "image/svg+xml"
    return response


def webui_app() -> web.Application:
    """The pages' files, the session and the live feed, to mount at /ui. It reads the configuration
    (CONFIG), the token check (API_QUERIES) and the live feed (LIVE) from the app it is mounted in."""
    ui = web.Application(middlewares=[api_errors])
    ui.router.add_route("GET", "/session", get_session)
    ui.router.add_route("POST", "/session", sign_in)
    ui.router.add_route("DELETE", "/session", sign_out)
    ui.router.add_get("/live", live)
    ui.router.add_static("/", STATIC)
    return ui


def setup_webui(app: web.Application) -> None:
    """The single page at / and the rest of the UI under /ui in app."""
    app.router.add_get("/", index)
    app.router.add_get("/favicon.ico", favicon)
    app.add_subapp("/ui", webui_app())
