"""Request bodies of bounded size for everything but SOAP (which has [soap] max_body_size and answers
with a Fault): a declared Content-Length above [api] max_body_size is refused with 413 before the
handler runs, so the body is never read; a chunked body is cut by aiohttp's client_max_size (the
same limit, set on the Application) once it passes the limit, and gets the same 413."""
from __future__ import annotations

from typing import Awaitable, Callable

from aiohttp import web

from .http import error_response

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
OWN_LIMIT = ("/Ocpp",)  # paths that check their body size themselves (OCPP over SOAP)


def too_large(size: int | None, limit: int) -> web.Response:
    what = f"the body of {size} bytes" if size is not None else "the body"
    response = error_response(413, "PayloadTooLarge", f"{what} exceeds the limit of {limit} bytes")
    # The rest of the body is not wanted: no keep-alive, so aiohttp closes the connection after
    # the answer (draining at most its lingering_time of what the client already sent).
    response.force_close()
    return response


def body_limit_middleware(limit: int):
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith(OWN_LIMIT):
            return await handler(request)
        size = request.content_length
        if size is not None and size > limit:
            return too_large(size, limit)
        try:
            return await handler(request)
        except web.HTTPRequestEntityTooLarge:  # request.read() passed client_max_size
            return too_large(None, limit)
    return middleware
