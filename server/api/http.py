"""JSON over HTTP as the REST API and the web UI speak it: the error body, and reading a request's
body and parameters with a 400 (or 404 for a path) that names the field at fault."""
from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web


class ApiError(Exception):
    def __init__(self, status: int, code: str, description: str, **extra: Any):
        self.status, self.code, self.description, self.extra = status, code, description, extra


def error_response(status: int, code: str, description: str, **extra: Any) -> web.Response:
    return web.json_response({"error": {"code": code, "description": description, **extra}},
                             status=status, dumps=lambda v: orjson.dumps(v).decode())


def json_text(text: str | None, status: int = 200) -> web.Response:
    return web.Response(text=text or "null", status=status, content_type="application/json")


async def json_body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        body = orjson.loads(await request.read())
    except orjson.JSONDecodeError as e:
        raise ApiError(400, "BadRequest", f"the body is not JSON: {e}") from None
    if not isinstance(body, dict):
        raise ApiError(400, "BadRequest", "the body must be a JSON object")
    return body


def text_field(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise ApiError(400, "BadRequest", f"{name} must be a string", field=name)
    return value


def int_param(request: web.Request, name: str, default: int, maximum: int | None = None) -> int:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "BadRequest", f"{name} must be an integer", field=name) from None
    if value < 0 or (maximum is not None and value > maximum):
        raise ApiError(400, "BadRequest", f"{name} must be between 0 and {maximum}", field=name)
    return value


def int_body(body: dict[str, Any], name: str, default: int, maximum: int | None = None) -> int:
    value = body.get(name, default)
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or value < 0 \
            or (maximum is not None and value > maximum):
        raise ApiError(400, "BadRequest", f"{name} must be an integer between 0 and {maximum}",
                       field=name)
    return value


def path_int(request: web.Request, name: str) -> int:
    try:
        value = int(request.match_info[name])
    except ValueError:
        raise ApiError(404, "NotFound", f"{name} must be an integer") from None
    if not -2**31 <= value < 2**31:
        raise ApiError(404, "NotFound", f"no such {name}")
    return value


@web.middleware
async def api_errors(request: web.Request, handler) -> web.StreamResponse:
    """An ApiError raised anywhere in a handler becomes its JSON error answer."""
    try:
        return await handler(request)
    except ApiError as e:
        return error_response(e.status, e.code, e.description, **e.extra)
