"""REST handlers: each is one call of a method of the database layer's ApiQueries (database/api.py, its
statements in database/api.sql; a command: one to queue it, then one per poll of its status). The
route table ROUTES is also the source of the OpenAPI spec (openapi.py), so the two cannot drift apart."""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, TypeVar

import orjson
from aiohttp import web

from ..config import Config
from ..database import ApiQueries, DatabaseError
from ..keys import API_QUERIES, CONFIG
from ..protocol.errors import http_error
from ..validation.schemas import message_file
from .auth import (READ_METHODS, Handler, auth_enabled, request_token, same_origin, token_role,
                   unauthorized)
from .http import (ApiError, api_errors, error_response, int_body, int_param, json_body, json_text,
                   path_int, text_field)

log = logging.getLogger("ocpp_cs.api")

PREFIX = "/api/v1"
STATIC = Path(__file__).with_name("static") / "swagger"
POLL_INTERVAL = 0.1  # seconds between ocpp.command() polls while a command is in flight
FINAL = {"answered", "error", "timeout", "offline", "refused", "cancelled", "interrupted"}
MAX_LIMIT = 1000

# The operations a central system sends (cs.v16_command_actions, cs.v201_command_actions; a test
# checks these against SQL). They only document the path: SQL decides what a station accepts.
V16_OPERATIONS = [
    "CancelReservation", "ChangeAvailability", "ChangeConfiguration", "ClearCache", "ClearChargingProfile",
    "DataTransfer", "GetCompositeSchedule", "GetConfiguration", "GetDiagnostics", "GetLocalListVersion",
    "RemoteStartTransaction", "RemoteStopTransaction", "ReserveNow", "Reset", "SendLocalList",
    "SetChargingProfile", "TriggerMessage", "UnlockConnector", "UpdateFirmware", "CertificateSigned",
    "DeleteCertificate", "ExtendedTriggerMessage", "GetInstalledCertificateIds", "GetLog",
    "InstallCertificate", "SignedUpdateFirmware"]
V201_OPERATIONS = [
    "CancelReservation", "CertificateSigned", "ChangeAvailability", "ClearCache", "ClearChargingProfile",
    "ClearDisplayMessage", "ClearVariableMonitoring", "CostUpdated", "CustomerInformation", "DataTransfer",
    "DeleteCertificate", "GetBaseReport", "GetChargingProfiles", "GetCompositeSchedule", "GetDisplayMessages",
    "GetInstalledCertificateIds", "GetLocalListVersion", "GetLog", "GetMonitoringReport", "GetReport",
    "GetTransactionStatus", "GetVariables", "InstallCertificate", "PublishFirmware", "RequestStartTransaction",
    "RequestStopTransaction", "ReserveNow", "Reset", "SendLocalList", "SetChargingProfile",
    "SetDisplayMessage", "SetMonitoringBase", "SetMonitoringLevel", "SetNetworkProfile",
    "SetVariableMonitoring", "SetVariables", "TriggerMessage", "UnlockConnector", "UnpublishFirmware",
    "UpdateFirmware"]
OPERATIONS = sorted(set(V16_OPERATIONS) | set(V201_OPERATIONS))

T = TypeVar("T")


@dataclass
class Route:
    """One REST route and what the spec says of it."""
    method: str
    path: str           # below PREFIX, in aiohttp's and OpenAPI's common {name} form
    handler: Handler
    summary: str
    tag: str
    open: bool = False  # no token needed
    query: list[tuple[str, str, str]] = field(default_factory=list)  # (name, type, description)
    body: str | None = None       # components/schemas name of the JSON body
    response: str = "Any"         # components/schemas name of the 200 body
    status: int = 200             # success status
    errors: tuple[int, ...] = (400,)
    ocpp: str | None = None       # the OCPP operation of a command path: the spec documents its schemas
    body_media: str = "application/json"      # the media type of the body
    response_media: str = "application/json"  # the media type of the 200 body
    response_headers: dict[str, str] = field(default_factory=dict)  # header name: what it says


def sql_error_status(e: DatabaseError) -> tuple[int, str]:
    """The HTTP status of a database refusal, from the one error table (protocol/errors.py): OC010
    is 404, the other OC codes and bad values (class 22) are the client's fault (400); anything
    else is ours, raised again."""
    status = http_error(e.sqlstate)
    if status is None:
        raise e
    return status


def queries(request: web.Request) -> ApiQueries:
    return request.config_dict[API_QUERIES]


async def call(statement: Awaitable[T]) -> T:
    """Awaits one statement of the database layer; database refusals become ApiErrors."""
    try:
        return await statement
    except DatabaseError as e:
        status, code = sql_error_status(e)
        detail = getattr(e, "detail", None)
        raise ApiError(status, code, str(getattr(e, "message", "") or e),
                       **({"details": {"detail": detail}} if detail else {})) from None


# --- apostoldevel/ocpp-cs paths ---

async def ping(request: web.Request) -> web.Response:
    return json_text("{}")


async def server_time(request: web.Request) -> web.Response:
    return json_text(orjson.dumps({"serverTime": int(time.time())}).decode())


async def charge_point_list(request: web.Request) -> web.Response:
    return json_text(await call(queries(request).chargepointlist()))


async def _range_list(request: web.Request, query: str, body: dict[str, Any], *more: str,
                      **extra: Any) -> web.Response:
    """The apostoldevel list bodies {identity, dateFrom, dateTo} with paging, the text fields named
    in more, then the extra values as given."""
    statement = getattr(queries(request), query)
    return json_text(await call(statement(text_field(body, "identity"),
                                          text_field(body, "dateFrom"), text_field(body, "dateTo"),
                                          int_body(body, "limit", 100, MAX_LIMIT),
                                          int_body(body, "offset", 0),
                                          *(text_field(body, name) for name in more),
                                          *extra.values())))


async def transaction_list(request: web.Request) -> web.Response:
    body = await json_body(request)
    running = body.get("running")
    if running is not None and not isinstance(running, bool):
        raise ApiError(400, "BadRequest", "running must be true or false", field="running")
    return await _range_list(request, "transactionlist", body, "idTag",
                             running=None if running is None else str(running).lower())


async def reservation_list(request: web.Request) -> web.Response:
    return await _range_list(request, "reservationlist", await json_body(request), "status")


async def charge_point_operation(request: web.Request) -> web.Response:
    """Queues the CALL, then polls ocpp.command(id) until it is final: a function cannot wait inside
    its own transaction for the dispatcher's commit, so the waiting is here, one call per step.
    The operation is the path's last segment: fixed in an operation's own path, {operation} in the
    catch-all one."""
    identity = request.match_info["identity"]
    operation = request.match_info.get("operation") \
        or request.match_info.route.resource.canonical.rsplit("/", 1)[1]
    payload = await json_body(request)
    timeout = request.config_dict[CONFIG].api.command_timeout
    db = queries(request)
    command_id = await call(db.send(identity, operation, orjson.dumps(payload).decode(),
                                    request_token(request)[0]))  # its name is createdBy
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        command = orjson.loads(await call(db.command(command_id)))
        if command["status"] in FINAL:
            break
        if asyncio.get_running_loop().time() > deadline:
            # never sent later by surprise; one already sent ends with the dispatcher's call timeout
            await call(db.cancel_command(command_id))
            raise ApiError(503, "Timeout", f"no answer from {identity} within {timeout:g} s",
                           commandId=command_id)
        await asyncio.sleep(POLL_INTERVAL)
    return command_response(command)


def command_response(command: dict[str, Any]) -> web.Response:
    status, error = command["status"], command.get("error") or {}
    if status == "answered":
        return json_text(orjson.dumps(command["response"]).decode())
    if status == "error":  # the station's CALLERROR
        return error_response(502, error.get("code", "InternalError"), error.get("description", ""),
                              details=error.get("details") or {}, commandId=command["id"])
    if status == "refused" and error.get("code") != "SecurityError" and "field" in (error.get("details") or {}):
        # a missing property is named itself, not the object that lacks it
        field = (error["details"].get("missing") or [error["details"]["field"]])[0]
        return error_response(400, error.get("code", "FormationViolation"), error.get("description", ""),
                              field=field, details=error["details"],
                              commandId=command["id"])
    if status == "refused":  # a Rejected station, or one not reachable from this node
        return error_response(503, error.get("code", "GenericError"), error.get("description", ""),
                              details=error.get("details") or {}, commandId=command["id"])
    return error_response(503, status.capitalize(), f"the command ended {status}",
                          commandId=command["id"])


# --- resources ---

async def stations(request: web.Request) -> web.Response:
    return json_text(await call(queries(request).chargepointlist()))


async def station(request: web.Request) -> web.Response:
    return json_text(await call(queries(request).station(request.match_info["identity"])))


async def evses(request: web.Request) -> web.Response:
    identity, db = request.match_info["identity"], queries(request)
    await call(db.station(identity))  # 404 for an unknown station
    return json_text(await call(db.evses(identity)))


async def charging_profiles(request: web.Request) -> web.Response:
    return json_text(await call(queries(request).charging_profiles(
        request.match_info["identity"], request.query.get("all") in ("1", "true"))))


async def transactions(request: web.Request) -> web.Response:
    q = request.query
    return json_text(await call(queries(request).transactionlist(
        q.get("identity") or None, q.get("from") or None, q.get("to") or None,
        int_param(request, "limit", 100, MAX_LIMIT), int_param(request, "offset", 0),
        q.get("idTag") or None, q.get("running") or None)))


async def transaction(request: web.Request) -> web.Response:
    return json_text(await call(queries(request).transaction(path_int(request, "id"))))


async def transaction_cost(request: web.Request) -> web.Response:
    return json_text(await call(queries(request).transaction_cost(path_int(request, "id"))))


async def tariffs(request: web.Request) -> web.Response:
    return json_text(await call(queries(request).tariffs()))


async def tariff(request: web.Request) -> web.Response:
    return json_text(await call(queries(request).tariff(request.match_info["tariffId"])))


async def _set_tariff(request: web.Request, tariff_id: str | None, must_exist: bool, status: int) -> web.Response:
    """The body is passed to SQL whole (ocpp.api_set_tariff checks it); only the id is read here."""
    body = await json_body(request)
    tariff_id = tariff_id if tariff_id is not None else text_field(body, "id")
    if not tariff_id:
        raise ApiError(400, "BadRequest", "id is required", field="id")
    body.pop("id", None)
    return json_text(await call(queries(request).set_tariff(tariff_id, orjson.dumps(body).decode(), must_exist)),
                     status)


async def create_tariff(request: web.Request) -> web.Response:
    return await _set_tariff(request, None, False, 201)


async def update_tariff(request: web.Request) -> web.Response:
    return await _set_tariff(request, request.match_info["tariffId"], True, 200)


async def delete_tariff(request: web.Request) -> web.Response:
    await call(queries(request).delete_tariff(request.match_info["tariffId"]))
    return web.Response(status=204)


async def tariff_assignments(request: web.Request) -> web.Response:
    return json_text(await call(queries(request).tariff_assignments()))


async def assign_tariff(request: web.Request) -> web.Response:
    body = await json_body(request)
    tariff_id = text_field(body, "tariffId")
    if not tariff_id:
        raise ApiError(400, "BadRequest", "tariffId is required", field="tariffId")
    evse_id = body.get("evseId")
    if evse_id is not None and (not isinstance(evse_id, int) or isinstance(evse_id, bool)):
        raise ApiError(400, "BadRequest", "evseId must be an integer", field="evseId")
    return json_text(await call(queries(request).assign_tariff(
        tariff_id, text_field(body, "identity"), evse_id, text_field(body, "idTokenGroup"))), 201)


async def unassign_tariff(request: web.Request) -> web.Response:
    await call(queries(request).unassign_tariff(path_int(request, "id")))
    return web.Response(status=204)


async def reservations(request: web.Request) -> web.Response:
    q = request.query
    return json_text(await call(queries(request).reservationlist(
        q.get("identity") or None, q.get("from") or None, q.get("to") or None,
        int_param(request, "limit", 100, MAX_LIMIT), int_param(request, "offset", 0),
        q.get("status") or None)))


async def id_tags(request: web.Request) -> web.Response:
    """ocpp.api_id_token_page: the page is the body, how many match in all X-Total-Count."""
    q = request.query
    page = orjson.loads(await call(queries(request).id_token_page(
        q.get("q") or None, q.get("status") or None,
        int_param(request, "limit", 100, MAX_LIMIT), int_param(request, "offset", 0))))
    response = json_text(orjson.dumps(page["tags"]).decode())
    response.headers["X-Total-Count"] = str(page["total"])
    return response


async def id_tag(request: web.Request) -> web.Response:
    return json_text(await call(queries(request).id_token(request.match_info["idTag"])))


# The 2.0.1 details of an id tag (ocpp.api_set_id_token checks them): one the body leaves out keeps
# its value, null clears it.
ID_TOKEN_DETAILS = ("tokenType", "groupIdToken", "groupTokenType", "evseIds", "chargingPriority",
                    "language1", "language2", "personalMessage")


async def _set_id_tag(request: web.Request, tag: str | None, must_exist: bool, status: int) -> web.Response:
    body = await json_body(request)
    tag = tag if tag is not None else text_field(body, "idTag")
    if not tag:
        raise ApiError(400, "BadRequest", "idTag is required", field="idTag")
    details = {name: body[name] for name in ID_TOKEN_DETAILS if name in body}
    try:
        return json_text(await call(queries(request).set_id_token(
            tag, text_field(body, "status") or "Accepted", text_field(body, "expiryDate"),
            text_field(body, "parentIdTag"), orjson.dumps(details).decode(), must_exist)), status)
    except ApiError as e:
        _detail_lines(e)
        raise


def _detail_lines(e: ApiError) -> None:
    """A refusal whose detail is one fault a line carries them as details.lines."""
    detail = e.extra.get("details", {}).get("detail")
    if detail:
        e.extra["details"] = {"lines": detail.splitlines()}


async def create_id_tag(request: web.Request) -> web.Response:
    return await _set_id_tag(request, None, False, 201)


async def update_id_tag(request: web.Request) -> web.Response:
    return await _set_id_tag(request, request.match_info["idTag"], True, 200)


async def delete_id_tag(request: web.Request) -> web.Response:
    await call(queries(request).delete_id_tag(request.match_info["idTag"]))
    return web.Response(status=204)


async def block_id_tag(request: web.Request) -> web.Response:
    return json_text(await call(queries(request).block_id_tag(request.match_info["idTag"])))


# --- sites (docs/site-load-balancing.md): SQL checks every value, numbers pass as text ---

def _number(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ApiError(400, "BadRequest", f"{name} must be a number", field=name)
    return str(value)


async def _set_site(request: web.Request, site_id: int | None, status: int) -> web.Response:
    body = await json_body(request)
    name, limit = text_field(body, "name"), _number(body, "limit")
    if not name:
        raise ApiError(400, "BadRequest", "name is required", field="name")
    if limit is None:
        raise ApiError(400, "BadRequest", "limit is required", field="limit")
    return json_text(await call(queries(request).set_site(
        name, limit, text_field(body, "limitUnit"), _number(body, "voltage"), _number(body, "phases"),
        site_id)), status)


async def sites(request: web.Request) -> web.Response:
    return json_text(await call(queries(request).sites()))


async def create_site(request: web.Request) -> web.Response:
    return await _set_site(request, None, 201)


async def update_site(request: web.Request) -> web.Response:
    return await _set_site(request, path_int(request, "id"), 200)


async def delete_site(request: web.Request) -> web.Response:
    await call(queries(request).delete_site(path_int(request, "id")))
    return web.Response(status=204)


async def site_load(request: web.Request) -> web.Response:
    return json_text(await call(queries(request).site_load(path_int(request, "id"))))


async def add_site_station(request: web.Request) -> web.Response:
    body = await json_body(request)
    return json_text(await call(queries(request).add_station_to_site(
        path_int(request, "id"), request.match_info["identity"], _number(body, "priority"),
        _number(body, "minCurrent"), _number(body, "maxCurrent"))))


async def remove_site_station(request: web.Request) -> web.Response:
    await call(queries(request).remove_station_from_site(request.match_info["identity"],
                                                         path_int(request, "id")))
    return web.Response(status=204)


async def commands(request: web.Request) -> web.Response:
    q = request.query
    return json_text(await call(queries(request).commands(
        q.get("identity") or None, q.get("status") or None,
        int_param(request, "limit", 100, MAX_LIMIT), int_param(request, "offset", 0))))


async def command(request: web.Request) -> web.Response:
    return json_text(await call(queries(request).command(path_int(request, "id"))))


async def message_log(request: web.Request) -> web.Response:
    q = request.query
    return json_text(await call(queries(request).message_log(
        q.get("identity") or None, q.get("from") or None, q.get("to") or None,
        int_param(request, "limit", 100, MAX_LIMIT), int_param(request, "offset", 0),
        q.get("action") or None, q.get("direction") or None)))


async def configuration(request: web.Request) -> web.Response:
    return json_text(await call(queries(request).configuration(request.match_info["identity"])))


async def variables(request: web.Request) -> web.Response:
    return json_text(await call(queries(request).variables(request.match_info["identity"])))


async def declare_evse(request: web.Request) -> web.Response:
    """ocpp.declare_evse, then the station's EVSEs as GET /stations/{identity}/evses shows them."""
    identity, db = request.match_info["identity"], queries(request)
    body = await json_body(request)
    await call(db.declare_evse(identity, path_int(request, "evseId"), int_body(body, "connectors", 1, 64)))
    return json_text(await call(db.evses(identity)))


async def seed_variable(request: web.Request) -> web.Response:
    """ocpp.seed_variable, then the station's device model as GET /stations/{identity}/variables."""
    identity, db = request.match_info["identity"], queries(request)
    body = await json_body(request)
    component, variable = text_field(body, "component"), text_field(body, "variable")
    if not component or not variable:
        raise ApiError(400, "BadRequest", "component and variable are required",
                       field="variable" if component else "component")
    await call(db.seed_variable(
        identity, component, variable, text_field(body, "value"),
        text_field(body, "attributeType") or "Actual", text_field(body, "componentInstance") or "",
        text_field(body, "variableInstance") or "", int_body(body, "evseId", 0),
        int_body(body, "connectorId", 0), text_field(body, "mutability"), text_field(body, "dataType")))
    return json_text(await call(db.variables(identity)))


async def set_station_auth_required(request: web.Request) -> web.Response:
    """ocpp.set_station_auth_required (null: follow station.auth_required), then the station."""
    identity, db = request.match_info["identity"], queries(request)
    body = await json_body(request)
    required = body.get("required")
    if "required" not in body or not (required is None or isinstance(required, bool)):
        raise ApiError(400, "BadRequest", "required must be true, false or null", field="required")
    await call(db.set_station_auth_required(identity, required))
    return json_text(await call(db.station(identity)))


async def operations(request: web.Request) -> web.Response:
    return json_text(await call(queries(request).operations(request.match_info["version"])))


async def operation_schema(request: web.Request) -> web.Response:
    """The OCA JSON schema of an operation's request, for a station of that version (SQL decides which
    operations a version has; 1.5 stations use the 1.6 schemas, their SOAP messages carry the same)."""
    version, operation = request.match_info["version"], request.match_info["operation"]
    known = orjson.loads(await call(queries(request).operations(version)))["operations"]
    if operation not in known:
        raise ApiError(404, "NotFound", f"OCPP {version} has no operation {operation} a central system sends")
    path = message_file("1.6" if version == "1.5" else version, operation)
    return web.Response(body=path.read_bytes(), content_type="application/json")


# --- operations (issue 18): force-close a transaction, one command to several stations, the
# dashboard's figures ---

BULK_MAX = 100  # stations one bulk command may name


async def close_transaction(request: web.Request) -> web.Response:
    """ocpp.close_transaction: an operator stop with an OCPP stop reason (default Other)."""
    body = await json_body(request)
    meter_stop = body.get("meterStop")
    if meter_stop is not None and (not isinstance(meter_stop, int) or isinstance(meter_stop, bool)):
        raise ApiError(400, "BadRequest", "meterStop must be an integer", field="meterStop")
    return json_text(await call(queries(request).close_transaction_by(  # closedBy.user: the token's name
        path_int(request, "id"), text_field(body, "reason") or "Other", meter_stop, request_token(request)[0])))


def _bulk_identities(body: dict[str, Any]) -> list[str]:
    identities = body.get("identities")
    if not isinstance(identities, list) or not identities \
            or not all(isinstance(i, str) and i for i in identities):
        raise ApiError(400, "BadRequest", "identities must be a list of station identities",
                       field="identities")
    unique = list(dict.fromkeys(identities))
    if len(unique) > BULK_MAX:
        raise ApiError(400, "BadRequest", f"at most {BULK_MAX} stations at once, not {len(unique)}",
                       field="identities")
    return unique


async def bulk_command(request: web.Request) -> web.Response:
    """One operation to several stations: ocpp.send once per station (with the caller's token, so
    each command's createdBy is its name), then, with wait (the default), ocpp.command polls until
    every command is final or the command timeout has passed (those still queued are cancelled).
    A station SQL refuses (unknown, bad payload) is a result with its error, not a failed request."""
    body = await json_body(request)
    identities = _bulk_identities(body)
    action = text_field(body, "action")
    if not action:
        raise ApiError(400, "BadRequest", "action is required", field="action")
    payload = body.get("payload", {})
    if not isinstance(payload, dict):
        raise ApiError(400, "BadRequest", "payload must be a JSON object", field="payload")
    wait = body.get("wait", True)
    if not isinstance(wait, bool):
        raise ApiError(400, "BadRequest", "wait must be true or false", field="wait")
    db, token = queries(request), request_token(request)[0]
    payload_json = orjson.dumps(payload).decode()
    results: list[dict[str, Any]] = []
    for identity in identities:
        try:
            command_id = await db.send(identity, action, payload_json, token)
        except DatabaseError as e:
            status, code = sql_error_status(e)
            results.append({"identity": identity, "commandId": None, "status": "refused",
                            "error": {"code": code, "description": str(getattr(e, "message", "") or e),
                                      "httpStatus": status}})
            continue
        results.append({"identity": identity, "commandId": command_id, "status": "queued"})
    pending = [r for r in results if r["commandId"] is not None]
    timeout = request.config_dict[CONFIG].api.command_timeout
    deadline = asyncio.get_running_loop().time() + timeout
    while pending:
        for result in pending:
            command = orjson.loads(await call(db.command(result["commandId"])))
            result.update(status=command["status"], response=command.get("response"),
                          error=command.get("error"))
        pending = [r for r in pending if r["status"] not in FINAL]
        if not wait or not pending:
            break
        if asyncio.get_running_loop().time() > deadline:
            for result in pending:
                # never sent later by surprise; one already sent ends with the dispatcher's call timeout
                await call(db.cancel_command(result["commandId"]))
                command = orjson.loads(await call(db.command(result["commandId"])))
                result.update(status=command["status"], response=command.get("response"),
                              error=command.get("error") or {
                                  "code": "Timeout",
                                  "description": f"no answer from {result['identity']} within {timeout:g} s"})
            break
        await asyncio.sleep(POLL_INTERVAL)
    return json_text(orjson.dumps({"action": action, "results": results}).decode())


async def today(request: web.Request) -> web.Response:
    return json_text(await call(queries(request).today(request.query.get("since") or None)))


# --- station management and settings (docs/rest-api.md "Stations: manage", "Settings"): SQL checks
# every value; numbers pass as text, cast in SQL ---

def _nullable_int(body: dict[str, Any], name: str) -> str | None:
    """The integer field name (it must be present; null allowed) as text for SQL."""
    if name not in body:
        raise ApiError(400, "BadRequest", f"{name} is required", field=name)
    value = body[name]
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError(400, "BadRequest", f"{name} must be an integer or null", field=name)
    return str(value)


async def _manage(request: web.Request, change: str, value: Any) -> web.Response:
    """One ocpp.set_station_* call, then the station as GET /stations/{identity} shows it."""
    identity, db = request.match_info["identity"], queries(request)
    await call(getattr(db, change)(identity, value))
    return json_text(await call(db.station(identity)))


async def set_station_registration(request: web.Request) -> web.Response:
    body = await json_body(request)
    status = text_field(body, "status")
    if not status:
        raise ApiError(400, "BadRequest", "status is required", field="status")
    return await _manage(request, "set_station_registration", status)


async def set_station_password(request: web.Request) -> web.Response:
    """The password is never shown back: the answer is 204."""
    body = await json_body(request)
    if "password" not in body:
        raise ApiError(400, "BadRequest", "password is required (null removes it)", field="password")
    await call(queries(request).set_station_password(request.match_info["identity"],
                                                     text_field(body, "password")))
    return web.Response(status=204)


async def set_station_security_profile(request: web.Request) -> web.Response:
    return await _manage(request, "set_station_security_profile",
                         _nullable_int(await json_body(request), "profile"))


async def set_station_account(request: web.Request) -> web.Response:
    return await _manage(request, "set_station_account", text_field(await json_body(request), "account"))


async def set_station_heartbeat_interval(request: web.Request) -> web.Response:
    return await _manage(request, "set_station_heartbeat_interval",
                         _nullable_int(await json_body(request), "seconds"))


async def delete_station(request: web.Request) -> web.Response:
    await call(queries(request).delete_station(request.match_info["identity"]))
    return web.Response(status=204)


async def settings(request: web.Request) -> web.Response:
    return json_text(await call(queries(request).settings()))


async def set_setting(request: web.Request) -> web.Response:
    """The body's value (any JSON) goes to ocpp.set_setting as jsonb; the answer is the setting."""
    key, db = request.match_info["key"], queries(request)
    body = await json_body(request)
    if "value" not in body:
        raise ApiError(400, "BadRequest", "value is required", field="value")
    await call(db.set_setting(key, orjson.dumps(body["value"]).decode()))
    return json_text(await call(db.setting(key)))


async def import_id_tags(request: web.Request) -> web.Response:
    """ocpp.import_id_tags: the CSV text is SQL's to read; a refusal carries every bad line in
    details.lines (the detail is one line per fault)."""
    if request.content_type not in ("text/csv", "text/plain"):
        raise ApiError(415, "UnsupportedMediaType", "the body must be text/csv")
    try:
        text = (await request.read()).decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ApiError(400, "BadRequest", f"the CSV is not UTF-8: {e}") from None
    try:
        return json_text(await call(queries(request).import_id_tags(text)))
    except ApiError as e:
        detail = e.extra.get("details", {}).get("detail")
        if detail:
            e.extra["details"] = {"lines": detail.splitlines()}
        raise


async def export_id_tags(request: web.Request) -> web.Response:
    return web.Response(text=await call(queries(request).export_id_tags()), content_type="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="id-tags.csv"'})


async def openapi_json(request: web.Request) -> web.Response:
    from .openapi import openapi_spec
    return json_text(orjson.dumps(openapi_spec()).decode())


PAGING = [("limit", "integer", f"at most this many (default 100, at most {MAX_LIMIT})"),
          ("offset", "integer", "skip this many first")]
RANGE = [("identity", "string", "only this station"),
         ("from", "string", "from this time on (ISO 8601, inclusive)"),
         ("to", "string", "before this time (ISO 8601, exclusive)")]

ROUTES: list[Route] = [
    Route("GET", "/ping", ping, "Is the server up", "CentralSystem", open=True, response="Empty", errors=()),
    Route("GET", "/time", server_time, "The server's time (Unix seconds)", "CentralSystem", open=True,
          response="ServerTime", errors=()),
    Route("GET", "/openapi.json", openapi_json, "This OpenAPI document", "CentralSystem", open=True, errors=()),
    Route("GET", "/CentralSystem/ChargePointList", charge_point_list, "Every station (ocpp.chargepointlist)",
          "CentralSystem", response="StationList", errors=()),
    Route("POST", "/CentralSystem/TransactionList", transaction_list,
          "Transactions, newest first, by station and start time", "CentralSystem", body="TransactionListRequest",
          response="TransactionList"),
    Route("POST", "/CentralSystem/ReservationList", reservation_list,
          "Reservations, newest first, by station and creation time", "CentralSystem", body="ReservationListRequest",
          response="ReservationList"),
    # one path per operation (the spec gives its OCPP schemas), then the catch-all for the rest (the
    # operations only 2.1 has, or unknown ones: SQL refuses those with 400); aiohttp tries them in order
    *[Route("POST", f"/ChargePoint/{{identity}}/{op}", charge_point_operation,
            f"Send {op} and wait for the station's answer", "ChargePoint", ocpp=op,
            errors=(400, 404, 502, 503)) for op in OPERATIONS],
    Route("POST", "/ChargePoint/{identity}/{operation}", charge_point_operation,
          "Send another OCPP operation (one only 2.1 has) and wait for the station's answer", "ChargePoint",
          body="OcppPayload", response="OcppPayload", errors=(400, 404, 502, 503)),
    Route("GET", "/stations", stations, "Every station with its connectors", "Stations", response="StationList",
          errors=()),
    Route("GET", "/stations/{identity}", station, "One station with its connectors and EVSEs", "Stations",
          response="Station", errors=(404,)),
    Route("GET", "/stations/{identity}/evses", evses, "The EVSEs of a station with their connectors",
          "Stations", errors=(404,)),
    Route("GET", "/stations/{identity}/charging-profiles", charging_profiles,
          "The charging profiles of a station (Installed; all=true: also Replaced and Cleared)",
          "Stations", query=[("all", "boolean", "also the Replaced and Cleared ones")], errors=(404,)),
    Route("GET", "/transactions", transactions, "Transactions, newest first", "Transactions",
          query=RANGE + [("idTag", "string", "only those started or stopped with this id tag"),
                         ("running", "boolean", "true: only running ones; false: only stopped ones")] + PAGING,
          response="TransactionList"),
    Route("GET", "/transactions/{id}", transaction, "One transaction with its meter values", "Transactions",
          response="Transaction", errors=(404,)),
    Route("POST", "/transactions/{id}/cost", transaction_cost,
          "Recompute the cost of a transaction from its stored meter values (null: no tariff applies)",
          "Transactions", response="TransactionCost", errors=(404,)),
    Route("GET", "/tariffs", tariffs, "Every tariff with its periods and assignments", "Tariffs",
          response="TariffList", errors=()),
    Route("POST", "/tariffs", create_tariff, "Add or replace a tariff", "Tariffs", body="Tariff",
          response="Tariff", status=201),
    Route("GET", "/tariffs/{tariffId}", tariff, "One tariff", "Tariffs", response="Tariff", errors=(404,)),
    Route("PUT", "/tariffs/{tariffId}", update_tariff, "Change a tariff (absent fields keep their values)",
          "Tariffs", body="TariffUpdate", response="Tariff", errors=(400, 404)),
    Route("DELETE", "/tariffs/{tariffId}", delete_tariff, "Remove a tariff and its assignments", "Tariffs",
          status=204, errors=(404,)),
    Route("GET", "/tariff-assignments", tariff_assignments, "Where each tariff applies", "Tariffs",
          response="TariffAssignmentList", errors=()),
    Route("POST", "/tariff-assignments", assign_tariff,
          "Apply a tariff at a station / EVSE / id token group (replaces the tariff of that scope)", "Tariffs",
          body="TariffAssignment", response="TariffAssignment", status=201, errors=(400, 404)),
    Route("DELETE", "/tariff-assignments/{id}", unassign_tariff, "Remove a tariff assignment", "Tariffs",
          status=204, errors=(404,)),
    Route("GET", "/reservations", reservations, "Reservations, newest first", "Reservations",
          query=RANGE + [("status", "string", "only this status (Accepted, Used, Cancelled, Expired, "
                                             "Removed, NoTransaction)")] + PAGING,
          response="ReservationList"),
    Route("GET", "/id-tags", id_tags, "Id tags by idTag", "IdTags",
          query=[("q", "string", "only those whose idTag or parentIdTag holds this (any case)"),
                 ("status", "string", "only this status (Accepted, Blocked, Expired, Invalid)")] + PAGING,
          response="IdTagList", response_headers={"X-Total-Count": "how many id tags match in all (every page)"}),
    Route("POST", "/id-tags", create_id_tag, "Add or replace an id tag", "IdTags", body="IdTag",
          response="IdTag", status=201),
    Route("GET", "/id-tags/{idTag}", id_tag, "One id tag", "IdTags", response="IdTag", errors=(404,)),
    Route("PUT", "/id-tags/{idTag}", update_id_tag, "Change an id tag", "IdTags", body="IdTagUpdate",
          response="IdTag", errors=(400, 404)),
    Route("DELETE", "/id-tags/{idTag}", delete_id_tag, "Remove an id tag", "IdTags", status=204, errors=(404,)),
    Route("POST", "/id-tags/{idTag}/block", block_id_tag, "Block an id tag", "IdTags", response="IdTag",
          errors=(404,)),
    Route("POST", "/id-tags/import", import_id_tags,
          "Add or replace the id tags of a CSV file, all or nothing (header idTag,status,expiryDate,parentIdTag "
          "and the 2.0.1 detail columns)",
          "IdTags", body="IdTagCsv", body_media="text/csv", response="IdTagImport", errors=(400, 413, 415)),
    Route("GET", "/id-tags.csv", export_id_tags, "Every id tag as CSV (what POST /id-tags/import reads)",
          "IdTags", response="IdTagCsv", response_media="text/csv", errors=()),
    Route("GET", "/sites", sites, "Every site with its stations", "Sites", response="SiteList"),
    Route("POST", "/sites", create_site, "Create a site (or change the site of that name)", "Sites",
          body="SiteBody", response="Site", status=201),
    Route("PUT", "/sites/{id}", update_site, "Change a site", "Sites", body="SiteBody", response="Site",
          errors=(400, 404)),
    Route("DELETE", "/sites/{id}", delete_site, "Remove a site", "Sites", status=204, errors=(404,)),
    Route("GET", "/sites/{id}/load", site_load, "The site's limit, each charging EVSE's allocation and draw",
          "Sites", response="SiteLoad", errors=(404,)),
    Route("PUT", "/sites/{id}/stations/{identity}", add_site_station,
          "Make a station a member of the site (priority, minimum, maximum)", "Sites", body="SiteMemberBody",
          response="Site", errors=(400, 404)),
    Route("DELETE", "/sites/{id}/stations/{identity}", remove_site_station, "Take a station out of the site",
          "Sites", status=204, errors=(404,)),
    Route("GET", "/commands", commands, "Commands, newest first", "Commands",
          query=[("identity", "string", "only this station"),
                 ("status", "string", "only this status (queued, sent, answered, error, timeout, offline, "
                                      "refused, cancelled, interrupted)")] + PAGING,
          response="CommandList"),
    Route("GET", "/commands/{id}", command, "One command and its answer", "Commands", response="Command",
          errors=(404,)),
    Route("GET", "/message-log", message_log, "The message log, newest first", "MessageLog",
          query=RANGE + [("action", "string", "only frames of this action"),
                         ("direction", "string", "in (station to central system) or out")] + PAGING,
          response="MessageLogList"),
    Route("GET", "/stations/{identity}/configuration", configuration,
          "The configuration keys of a 1.6 station (as GetConfiguration and ChangeConfiguration left them)",
          "Stations", response="ConfigurationList", errors=(404,)),
    Route("GET", "/stations/{identity}/variables", variables,
          "The device model of a 2.0.1 / 2.1 station (NotifyReport, GetVariables, SetVariables)",
          "Stations", response="VariableList", errors=(404,)),
    Route("PUT", "/stations/{identity}/evses/{evseId}", declare_evse,
          "Declare an EVSE and its connectors before the station reports them (ocpp.declare_evse)",
          "Provisioning", body="EvseDeclaration", errors=(400, 404)),
    Route("PUT", "/stations/{identity}/variables", seed_variable,
          "Seed a device-model value, e.g. an ItemsPerMessage limit (ocpp.seed_variable)", "Provisioning",
          body="VariableSeed", response="VariableList", errors=(400, 404)),
    Route("PUT", "/stations/{identity}/auth-required", set_station_auth_required,
          "Require HTTP Basic auth of this station, or not, or follow the setting (ocpp.set_station_auth_required)",
          "Provisioning", body="AuthRequired", response="Station", errors=(400, 404)),
    Route("GET", "/schemas/{version}", operations,
          "The operations a central system sends to a station of this OCPP version", "Schemas",
          response="Operations", errors=(404,)),
    Route("GET", "/schemas/{version}/{operation}", operation_schema,
          "The JSON schema (OCA, draft 4/6) of an operation's request for this OCPP version", "Schemas",
          response="JsonSchema", errors=(404,)),
    # operations (issue 18)
    Route("POST", "/transactions/{id}/close", close_transaction,
          "Force-close an open transaction the station will not stop: an operator stop with an OCPP stop "
          "reason (ocpp.close_transaction)", "Transactions", body="CloseTransaction", response="Transaction",
          errors=(400, 404)),
    Route("POST", "/commands/bulk", bulk_command,
          f"Send one operation to several stations (at most {BULK_MAX}) and give each station's result",
          "Commands", body="BulkCommand", response="BulkCommandResult"),
    Route("GET", "/today", today, "Sessions, energy and station states since a moment (default: today)",
          "Stations", query=[("since", "string", "from this time on (ISO 8601); default: midnight today")],
          response="Today"),
    # station management and settings (helper stations18)
    Route("PUT", "/stations/{identity}/registration", set_station_registration,
          "Accept, hold (Pending) or reject a station at its next BootNotification "
          "(ocpp.set_station_registration)", "Stations", body="RegistrationBody", response="Station",
          errors=(400, 404)),
    Route("PUT", "/stations/{identity}/password", set_station_password,
          "Set the station's HTTP Basic password (stored as a hash, never shown; null removes it)",
          "Stations", body="PasswordBody", status=204, errors=(400, 404)),
    Route("PUT", "/stations/{identity}/security-profile", set_station_security_profile,
          "The lowest security profile the station may connect with (null: the setting)", "Stations",
          body="SecurityProfileBody", response="Station", errors=(400, 404)),
    Route("PUT", "/stations/{identity}/account", set_station_account,
          "The station's account (null or empty removes it)", "Stations", body="AccountBody",
          response="Station", errors=(400, 404)),
    Route("PUT", "/stations/{identity}/heartbeat-interval", set_station_heartbeat_interval,
          "The HeartbeatInterval the station's next BootNotifications answer (null: the setting)",
          "Stations", body="HeartbeatIntervalBody", response="Station", errors=(400, 404)),
    Route("DELETE", "/stations/{identity}", delete_station,
          "Remove a station with its transactions, commands and other rows (the message log stays)",
          "Stations", status=204, errors=(404,)),
    Route("GET", "/settings", settings, "Every setting with its value and description", "Settings",
          response="SettingList", errors=()),
    Route("PUT", "/settings/{key}", set_setting, "Change a setting (ocpp.set_setting checks the value)",
          "Settings", body="SettingBody", response="Setting", errors=(400, 404)),
]

OPEN_PATHS = {PREFIX + r.path for r in ROUTES if r.open}


async def refusal(request: web.Request) -> web.Response | None:
    """The answer to a request under PREFIX that may not pass: no valid token, or a change by a
    read token or from another site's page; None when it may."""
    if request.path not in OPEN_PATHS:
        token, from_cookie = request_token(request)
        role = await token_role(queries(request), token)
        if role is None:
            return unauthorized()
        if request.method not in READ_METHODS:
            if role != "operator":
                return error_response(403, "Forbidden", f"a {role} token may not {request.method}")
            if from_cookie and not same_origin(request):
                return error_response(403, "Forbidden",
                                      "a signed-in change must come from this server's pages")
    return None


def auth_middleware(enabled: bool):
    """The token check, for the routes and for a path or method under PREFIX that no route takes
    (aiohttp runs a sub-app's middlewares for its 404 and 405 too)."""
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if enabled and request.path.startswith(PREFIX + "/"):
            refused = await refusal(request)
            if refused is not None:
                return refused
        return await handler(request)
    return middleware


async def docs_redirect(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/docs/")


async def swagger_index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


def api_app(config: Config) -> web.Application:
    """The REST API as an application of its own, to mount at PREFIX: its routes and the token
    check. It reads the configuration (CONFIG) and its statements (API_QUERIES) from the app it is
    mounted in."""
    auth = auth_enabled(config)
    if config.api.demo:
        log.warning("!!! [api] demo = true: the REST API at %s is OPEN TO ANYONE, without tokens. "
                    "For local use only. !!!", PREFIX)
    elif not auth:
        log.warning("[api] auth = false: the REST API at %s needs no token", PREFIX)
    api = web.Application(middlewares=[auth_middleware(auth), api_errors])
    for route in ROUTES:
        api.router.add_route(route.method, route.path, route.handler)
    return api


def setup_api(app: web.Application, config: Config) -> None:
    """Mounts the REST API at /api/v1 and the Swagger UI at /docs/ in app."""
    app.add_subapp(PREFIX, api_app(config))
    app.router.add_get("/docs", docs_redirect)
    app.router.add_get("/docs/", swagger_index)
    app.router.add_static("/docs/", STATIC)
