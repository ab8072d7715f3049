"""The OpenAPI 3 document, built from the route table (routes.ROUTES), so every route is in the spec
and every path of the spec is a route."""
from __future__ import annotations

from functools import lru_cache
import re
from typing import Any

from .. import __version__
from .routes import OPERATIONS, PREFIX, ROUTES, V16_OPERATIONS, V201_OPERATIONS

ERROR_TEXT = {400: "Bad request: the failing field is named", 401: "Missing or wrong Bearer token",
              403: "The token's role may not do this", 404: "Not found",
              502: "The station answered with a CALLERROR", 503: "The station is offline, rejected, or "
              "did not answer in time"}

OBJECT = {"type": "object", "additionalProperties": True}
SCHEMAS: dict[str, Any] = {
    "Any": {},
    "Empty": {"type": "object"},
    "ServerTime": {"type": "object", "properties": {"serverTime": {"type": "integer"}}},
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "description"],
        "properties": {"code": {"type": "string"}, "description": {"type": "string"},
                       "field": {"type": "string"}, "details": OBJECT,
                       "commandId": {"type": "integer"}}}}},
    "ListRequest": {"type": "object", "properties": {
        "identity": {"type": "string", "nullable": True},
        "dateFrom": {"type": "string", "format": "date-time", "nullable": True},
        "dateTo": {"type": "string", "format": "date-time", "nullable": True},
        "limit": {"type": "integer", "minimum": 0, "maximum": 1000},
        "offset": {"type": "integer", "minimum": 0}}},
    "OcppPayload": {**OBJECT, "description": "The OCPP request or response payload of the operation"},
    "Station": OBJECT,
    "StationList": {"type": "array", "items": {"$ref": "#/components/schemas/Station"}},
    "Transaction": OBJECT,
    "TransactionList": {"type": "array", "items": {"$ref": "#/components/schemas/Transaction"}},
    "ReservationList": {"type": "array", "items": OBJECT},
    "IdTag": {"type": "object", "properties": {
        "idTag": {"type": "string", "minLength": 1, "maxLength": 36},
        "status": {"type": "string", "enum": ["Accepted", "Blocked", "Expired", "Invalid"]},
        "expiryDate": {"type": "string", "format": "date-time", "nullable": True},
        "parentIdTag": {"type": "string", "minLength": 1, "maxLength": 36, "nullable": True}},
        "required": ["idTag"]},
    "IdTagUpdate": {"type": "object", "properties": {
        "status": {"type": "string", "enum": ["Accepted", "Blocked", "Expired", "Invalid"]},
        "expiryDate": {"type": "string", "format": "date-time", "nullable": True},
        "parentIdTag": {"type": "string", "minLength": 1, "maxLength": 36, "nullable": True}}},
    "IdTagList": {"type": "array", "items": {"$ref": "#/components/schemas/IdTag"}},
    "Command": OBJECT,
    "CommandList": {"type": "array", "items": {"$ref": "#/components/schemas/Command"}},
    "MessageLogList": {"type": "array", "items": OBJECT},
}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _path_parameter(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer"} if name == "id" else {"type": "string"}
    description = {"identity": "the station's identity", "id": "the id",
                   "idTag": "the id tag",
                   "operation": "an OCPP operation the central system sends (1.6: "
                                + ", ".join(V16_OPERATIONS) + "; 2.0.1: " + ", ".join(V201_OPERATIONS)
                                + "); the station's version decides which it accepts"}[name]
    if name == "operation":
        schema = {"type": "string", "enum": OPERATIONS}
    return {"name": name, "in": "path", "required": True, "schema": schema, "description": description}


@lru_cache(maxsize=1)
def openapi_spec() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        parameters = [_path_parameter(n) for n in re.findall(r"{(\w+)}", route.path)]
        parameters += [{"name": n, "in": "query", "required": False, "description": d,
                        "schema": {"type": t, **({"minimum": 0} if t == "integer" else {})}}
                       for n, t, d in route.query]
        responses: dict[str, Any] = {}
        if route.status == 204:
            responses["204"] = {"description": "Done"}
        else:
            responses[str(route.status)] = {"description": "OK", "content": {
                "application/json": {"schema": _ref(route.response)}}}
        statuses = list(route.errors)
        if not route.open:
            statuses += [401] + ([403] if route.method != "GET" else [])
        for status in sorted(set(statuses)):
            responses[str(status)] = {"description": ERROR_TEXT[status],
                                      "content": {"application/json": {"schema": _ref("Error")}}}
        operation: dict[str, Any] = {
            "summary": route.summary, "tags": [route.tag],
            "operationId": route.handler.__name__, "responses": responses,
        }
        if parameters:
            operation["parameters"] = parameters
        if route.body:
            operation["requestBody"] = {"required": route.path.startswith("/ChargePoint/"),
                                        "content": {"application/json": {"schema": _ref(route.body)}}}
        operation["security"] = [] if route.open else [{"bearer": []}]
        paths.setdefault(PREFIX + route.path, {})[route.method.lower()] = operation
    return {
        "openapi": "3.0.3",
        "info": {"title": "ocpp-cs REST API", "version": __version__,
                 "description": "A thin layer over the ocpp.* SQL functions of ocpp-cs. Bearer tokens "
                                "come from `ocpp-cs token create NAME --role read|operator`."},
        "paths": paths,
        "components": {"schemas": SCHEMAS,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
    }
