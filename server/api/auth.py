"""Who may use the REST API: a Bearer token (ocpp.api_token_check gives its role, read or operator),
or the same token in the web UI's HttpOnly sign-in cookie. The web UI signs in with these too."""
from __future__ import annotations

from typing import Awaitable, Callable

from aiohttp import web

from ..config import Config
from ..database import ApiQueries
from .http import error_response

SESSION_COOKIE = "ocpp_cs_session"  # the web UI's sign-in: an API token in an HttpOnly cookie
READ_METHODS = {"GET", "HEAD", "OPTIONS"}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def auth_enabled(config: Config) -> bool:
    """Tokens are checked unless [api] auth is off or [api] demo is on."""
    return config.api.auth and not config.api.demo


def request_token(request: web.Request) -> tuple[str | None, bool]:
    """The token a request carries, and whether it came from the web UI's cookie (a Bearer header
    wins)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip(), False
    cookie = request.cookies.get(SESSION_COOKIE)
    return (cookie, True) if cookie else (None, False)


def same_origin(request: web.Request) -> bool:
    """A cookie-carrying change must come from our own pages: SameSite=Strict keeps other sites'
    requests cookie-less, and the Origin check covers browsers that ignore SameSite."""
    origin = request.headers.get("Origin")
    return origin is None or origin.split("://", 1)[-1] == request.host


async def token_role(queries: ApiQueries, token: str | None) -> str | None:
    """read or operator for a live token; None for none, or any other."""
    return await queries.token_check(token) if token else None


def unauthorized() -> web.Response:
    response = error_response(401, "Unauthorized", "a valid Bearer token is required")
    response.headers["WWW-Authenticate"] = 'Bearer realm="ocpp-cs"'
    return response
