"""The OpenAPI 3 document, built from the route table (routes.ROUTES), so every route is in the spec
and every path of the spec is a route. A command path of one OCPP operation (Route.ocpp) documents
its request and response as the OCA schemas of the versions that have it (ocpp_schemas.py)."""
from __future__ import annotations

from functools import lru_cache
import re
from typing import Any

from .. import __version__
from .ocpp_schemas import ocpp_components, request_ref, response_ref
from .routes import BULK_MAX, PREFIX, ROUTES, V16_OPERATIONS, V201_OPERATIONS, Route

ERROR_TEXT = {400: "Bad request: the failing field is named", 401: "Missing or wrong Bearer token",
              403: "The token's role may not do this", 404: "Not found",
              502: "The station answered with a CALLERROR", 503: "The station is offline, rejected, or "
              "did not answer in time", 413: "The body is larger than [api] max_body_size",
              415: "The body is not of the media type the path takes"}

OBJECT = {"type": "object", "additionalProperties": True}
TEXT = {"type": "string", "nullable": True}
INT = {"type": "integer", "nullable": True}
TIME = {"type": "string", "format": "date-time", "nullable": True}


def _object(**properties: Any) -> dict[str, Any]:
    """A response object: its documented keys; more may come (additive changes are not breaking)."""
    return {"type": "object", "additionalProperties": True, "properties": properties}


CONNECTOR = _object(evseId={"type": "integer"}, connectorId={"type": "integer"}, status=TEXT,
                    errorCode=TEXT, info=TEXT, vendorId=TEXT, vendorErrorCode=TEXT, timestamp=TIME)
NUMBER = {"type": "number", "minimum": 0}
TARIFF_FIELDS: dict[str, Any] = {
    "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
    "energyPrice": {**NUMBER, "description": "per kWh, without VAT"},
    "timePrice": {**NUMBER, "description": "per hour of the transaction, without VAT"},
    "sessionFee": {**NUMBER, "description": "once per transaction, without VAT"},
    "vatPercent": {"type": "number", "minimum": 0, "maximum": 100, "exclusiveMaximum": True},
    "timeZone": {"type": "string", "description": "of the periods' local times (default UTC)"},
    "description": TEXT,
    "periods": {"type": "array", "maxItems": 100, "items": {"type": "object", "properties": {
        "start": {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"},
        "end": {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"},
        "days": {"type": "array", "nullable": True, "items": {"type": "string", "enum": [
            "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]}},
        "energyPrice": NUMBER, "timePrice": NUMBER}, "required": ["start", "end"]}}}
# Site load balancing (docs/site-load-balancing.md): currents in A per phase.
AMOUNT = {"type": "number"}
SITE_MEMBER = _object(identity={"type": "string"}, priority={"type": "integer"},
                      minCurrent={**AMOUNT, "nullable": True}, maxCurrent={**AMOUNT, "nullable": True})
SITE_SCHEMAS: dict[str, Any] = {
    "SiteBody": {"type": "object", "required": ["name", "limit"], "properties": {
        "name": {"type": "string", "minLength": 1}, "limit": {**AMOUNT, "minimum": 0},
        "limitUnit": {"type": "string", "enum": ["A", "W"], "description": "A per phase, or W for the site"},
        "voltage": {**AMOUNT, "description": "phase to neutral, for W <-> A (230)"},
        "phases": {"type": "integer", "enum": [1, 2, 3]}}},
    "SiteMemberBody": {"type": "object", "properties": {
        "priority": {"type": "integer", "description": "higher is served first (0)"},
        "minCurrent": {**AMOUNT, "minimum": 0, "description": "A per phase; absent: setting site.min_current"},
        "maxCurrent": {**AMOUNT, "minimum": 0, "description": "A per phase; absent: none"}}},
    "Site": _object(id={"type": "integer"}, name={"type": "string"}, limit=AMOUNT,
                    limitUnit={"type": "string"}, limitA=AMOUNT, voltage=AMOUNT, phases={"type": "integer"},
                    stations={"type": "array", "items": SITE_MEMBER}),
    "SiteList": {"type": "array", "items": {"$ref": "#/components/schemas/Site"}},
    "SiteLoad": {"allOf": [{"$ref": "#/components/schemas/Site"}, _object(
        allocatedA=AMOUNT, drawA={**AMOUNT, "nullable": True},
        allocations={"type": "array", "items": _object(
            identity={"type": "string"}, evseId={"type": "integer"}, transactionId={"type": "integer"},
            limitA=AMOUNT, limit={**AMOUNT, "description": "in the site's unit"},
            drawA={**AMOUNT, "nullable": True}, commandId={"type": "integer", "nullable": True},
            allocatedAt={"type": "string", "format": "date-time"})})]},
}
# Operations (issue 18): force-close, one command to several stations, the dashboard's figures.
OPS_SCHEMAS: dict[str, Any] = {
    "CloseTransaction": {"type": "object", "properties": {
        "reason": {"type": "string", "description": "an OCPP stop reason (1.6 Reason, 2.0.1 ReasonEnumType); "
                                                    "default Other"},
        "meterStop": {"type": "integer", "minimum": 0,
                      "description": "Wh; absent: the last register value stored, else meterStart"}}},
    "BulkCommand": {"type": "object", "required": ["identities", "action"], "properties": {
        "identities": {"type": "array", "minItems": 1, "maxItems": BULK_MAX, "items": {"type": "string"}},
        "action": {"type": "string", "description": "the OCPP operation, e.g. Reset"},
        "payload": {"type": "object", "additionalProperties": True},
        "wait": {"type": "boolean", "description": "wait for every answer, up to the command timeout "
                                                  "(default true); false: the commands as queued"}}},
    "BulkCommandResult": _object(action={"type": "string"}, results={"type": "array", "items": _object(
        identity={"type": "string"}, commandId=INT,
        status={"type": "string", "description": "the command's status; refused: SQL did not queue it"},
        response={**OBJECT, "nullable": True}, error={**OBJECT, "nullable": True})}),
    "Today": _object(since=TIME, sessions={"type": "integer"}, running={"type": "integer"},
                     energyWh={"type": "number"}, stations={"type": "integer"}, faulted={"type": "integer"},
                     offline={"type": "integer"}),
}
# The 2.0.1 details of an id tag (cs.id_token_detail_faults checks them): in a POST or PUT body, one
# left out keeps its value, null clears it.
TOKEN_TYPE = {"type": "string", "nullable": True, "enum": ["Central", "eMAID", "ISO14443", "ISO15693", "KeyCode",
                                                           "Local", "MacAddress", "NoAuthorization", None]}
LANGUAGE = {"type": "string", "nullable": True, "maxLength": 8, "pattern": "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$",
            "description": "RFC 5646 (en, de-DE)"}
ID_TOKEN_DETAILS: dict[str, Any] = {
    "tokenType": {**TOKEN_TYPE, "description": "IdTokenEnumType; null: a token of any type matches"},
    "groupIdToken": {"type": "string", "minLength": 1, "maxLength": 36, "nullable": True,
                     "description": "the 2.0.1 groupIdToken (null: parentIdTag is sent)"},
    "groupTokenType": {**TOKEN_TYPE, "description": "the groupIdToken's type (null: the group's own, else Central)"},
    "evseIds": {"type": "array", "nullable": True, "minItems": 1, "uniqueItems": True,
                "items": {"type": "integer", "minimum": 1}, "description": "the EVSEs it may use; null: every EVSE"},
    "chargingPriority": {"type": "integer", "minimum": -9, "maximum": 9, "nullable": True},
    "language1": LANGUAGE, "language2": LANGUAGE,
    "personalMessage": {"type": "object", "nullable": True, "required": ["format", "content"],
                        "additionalProperties": False, "description": "MessageContentType", "properties": {
                            "format": {"type": "string", "enum": ["ASCII", "HTML", "URI", "UTF8"]},
                            "language": LANGUAGE,
                            "content": {"type": "string", "minLength": 1, "maxLength": 512}}},
}
# Id tags as CSV (db/functions/11_api/id_tags.sql).
ID_TAG_SCHEMAS: dict[str, Any] = {
    "IdTagCsv": {"type": "string", "description": "CSV (UTF-8): a header naming idTag and any of status, "
                 "expiryDate, parentIdTag, tokenType, groupIdToken, groupTokenType, evseIds (space separated), "
                 "chargingPriority, language1, language2, personalMessageFormat, personalMessageLanguage, "
                 "personalMessageContent, then one id tag a line; an empty status is Accepted; a 2.0.1 column "
                 "left out keeps the tags' values; a leading ' before = + - @ is taken off (the export puts "
                 "it there); at most 10000 tags",
                 "example": "idTag,status,expiryDate,parentIdTag\nTAG1,Accepted,,FLEET\n"},
    "IdTagImport": {"type": "object", "properties": {
        "imported": {"type": "integer"}, "added": {"type": "integer", "description": "new tags"},
        "changed": {"type": "integer", "description": "tags that were there and were replaced"}}},
}

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
    "TransactionListRequest": {"allOf": [{"$ref": "#/components/schemas/ListRequest"}, {
        "type": "object", "properties": {
            "idTag": {"type": "string", "nullable": True,
                      "description": "only those started or stopped with this id tag"},
            "running": {"type": "boolean", "nullable": True,
                        "description": "true: only running ones; false: only stopped ones"}}}]},
    "ReservationListRequest": {"allOf": [{"$ref": "#/components/schemas/ListRequest"}, {
        "type": "object", "properties": {
            "status": {"type": "string", "nullable": True, "description": "only this status"}}}]},
    "OcppPayload": {**OBJECT, "description": "The OCPP request or response payload of the operation"},
    "Station": _object(identity={"type": "string"}, account=TEXT, version=TEXT, connected={"type": "boolean"},
                       node=TEXT, transport={"type": "string", "enum": ["websocket", "soap"],
                                             "description": "soap: OCPP-S, no connection to hold"},
                       securityProfile={**INT, "description": "0-3, of the live connection"},
                       minimumSecurityProfile={"type": "integer",
                                               "description": "the lowest profile it may connect with"},
                       lastSeen=TIME, registration={"type": "string"},
                       boot={**OBJECT, "nullable": True, "description": "the last BootNotification as sent"},
                       connectors={"type": "array", "items": CONNECTOR},
                       evses={"type": "array", "items": OBJECT,
                              "description": "GET /stations/{identity} only (ocpp.evselist)"}),
    "StationList": {"type": "array", "items": {"$ref": "#/components/schemas/Station"}},
    "Transaction": _object(id={"type": "integer", "description": "ocpp-cs's number, for /transactions/{id}"},
                           transactionId={"description": "the 1.6 integer, or the 2.0.1 station's string"},
                           identity={"type": "string"}, evseId={"type": "integer"},
                           connectorId={"type": "integer"}, idTag=TEXT, idTagStatus=TEXT, meterStart=INT,
                           meterStop=INT, energy={**INT, "description": "meterStop - meterStart, Wh"},
                           startedAt=TIME, stoppedAt=TIME, stopReason=TEXT, stopIdTag=TEXT,
                           reservationId=INT, running={"type": "boolean"},
                           cost={"$ref": "#/components/schemas/TransactionCost"},
                           closedBy={"type": "object", "description": "only when the central system closed it",
                                     "properties": {
                                         "by": {"type": "string",
                                                "enum": ["operator", "BootNotification", "StatusNotification"]},
                                         "user": {**TEXT, "description": "who (operator): the API token's name, "
                                                                         "else the database role"},
                                         "reason": TEXT}},
                           meterValues={"type": "array", "items": OBJECT,
                                        "description": "GET /transactions/{id} only"}),
    "TransactionCost": {**_object(
        total={"type": "number", "description": "with VAT"}, currency={"type": "string"},
        energy={"type": "number"}, time={"type": "number"}, fee={"type": "number"},
        vat={"type": "number"}, energyWh={"type": "integer"}, tariffId=TEXT,
        final={"type": "boolean", "description": "false while the transaction runs"}, computedAt=TIME),
        "nullable": True, "description": "only on a priced transaction (docs/tariffs.md)"},
    "Tariff": {"type": "object", "required": ["id", "currency"], "properties": {
        "id": {"type": "string", "minLength": 1, "maxLength": 60}, **TARIFF_FIELDS}},
    "TariffUpdate": {"type": "object", "properties": TARIFF_FIELDS},
    "TariffList": {"type": "array", "items": {"$ref": "#/components/schemas/Tariff"}},
    "TariffAssignment": {"type": "object", "required": ["tariffId"], "properties": {
        "id": {"type": "integer", "readOnly": True}, "tariffId": {"type": "string"},
        "identity": {"type": "string", "nullable": True, "description": "null: every station"},
        "evseId": {"type": "integer", "nullable": True, "description": "null: every EVSE"},
        "idTokenGroup": {"type": "string", "nullable": True,
                         "description": "groupIdToken / parentIdTag; null: any token"}}},
    "TariffAssignmentList": {"type": "array", "items": {"$ref": "#/components/schemas/TariffAssignment"}},
    "TransactionList": {"type": "array", "items": {"$ref": "#/components/schemas/Transaction"}},
    "ReservationList": {"type": "array", "items": _object(
        reservationId={"type": "integer"}, identity={"type": "string"}, evseId={"type": "integer"},
        idTag={"type": "string"}, parentIdTag=TEXT, expiryDate=TIME, status={"type": "string"},
        statusAt=TIME, createdAt=TIME, transactionId={"nullable": True}, active={"type": "boolean"})},
    "IdTag": {"type": "object", "properties": {
        "idTag": {"type": "string", "minLength": 1, "maxLength": 36},
        "status": {"type": "string", "enum": ["Accepted", "Blocked", "Expired", "Invalid"]},
        "expiryDate": {"type": "string", "format": "date-time", "nullable": True},
        "parentIdTag": {"type": "string", "minLength": 1, "maxLength": 36, "nullable": True},
        **ID_TOKEN_DETAILS},
        "required": ["idTag"]},
    "IdTagUpdate": {"type": "object", "properties": {
        "status": {"type": "string", "enum": ["Accepted", "Blocked", "Expired", "Invalid"]},
        "expiryDate": {"type": "string", "format": "date-time", "nullable": True},
        "parentIdTag": {"type": "string", "minLength": 1, "maxLength": 36, "nullable": True},
        **ID_TOKEN_DETAILS}},
    "IdTagList": {"type": "array", "items": {"$ref": "#/components/schemas/IdTag"}},
    "Command": _object(id={"type": "integer"}, identity={"type": "string"}, action={"type": "string"},
                       payload=OBJECT, requested={**OBJECT, "nullable": True}, status={"type": "string"},
                       response={**OBJECT, "nullable": True}, error={**OBJECT, "nullable": True},
                       uniqueId=TEXT, node=TEXT, waitUntil=TIME, createdAt=TIME, sentAt=TIME,
                       answeredAt=TIME, finishedAt=TIME, createdBy=TEXT,
                       parts={"type": "integer", "description": "a split command only: how many parts "
                                                                "(device-model limits, docs/commands.md)"},
                       parentId={"type": "integer", "description": "a part only: the split command"}),
    "CommandList": {"type": "array", "items": {"$ref": "#/components/schemas/Command"}},
    "MessageLogList": {"type": "array", "items": _object(
        id={"type": "integer"}, identity={"type": "string"}, account=TEXT,
        direction={"type": "string", "enum": ["in", "out"]}, messageType=INT, action=TEXT, uniqueId=TEXT,
        payload={"nullable": True}, errorCode=TEXT, errorDescription=TEXT, createdAt=TIME,
        latencyMs={"type": "number", "nullable": True})},
    "ConfigurationList": {"type": "array", "items": {"type": "object", "properties": {
        "key": {"type": "string"}, "value": {"type": "string", "nullable": True},
        "readonly": {"type": "boolean", "nullable": True}, "unknown": {"type": "boolean"},
        "rebootRequired": {"type": "boolean"}, "updatedAt": {"type": "string", "format": "date-time"}}}},
    "VariableList": {"type": "array", "items": {"type": "object", "properties": {
        "component": {"type": "string"}, "componentInstance": {"type": "string", "nullable": True},
        "evseId": {"type": "integer", "nullable": True}, "connectorId": {"type": "integer", "nullable": True},
        "variable": {"type": "string"}, "variableInstance": {"type": "string", "nullable": True},
        "attributeType": {"type": "string"}, "value": {"type": "string", "nullable": True},
        "mutability": {"type": "string", "nullable": True}, "dataType": {"type": "string", "nullable": True},
        "unit": {"type": "string", "nullable": True}, "updatedAt": {"type": "string", "format": "date-time"}}}},
    "EvseDeclaration": {"type": "object", "properties": {
        "connectors": {"type": "integer", "minimum": 0, "maximum": 64, "default": 1,
                       "description": "connectors 1..n of the EVSE (0: none, as EVSE 0 takes)"}}},
    "VariableSeed": {"type": "object", "required": ["component", "variable"], "properties": {
        "component": {"type": "string", "minLength": 1, "maxLength": 50},
        "variable": {"type": "string", "minLength": 1, "maxLength": 50},
        "value": {"type": "string", "maxLength": 2500, "nullable": True},
        "attributeType": {"type": "string", "enum": ["Actual", "Target", "MinSet", "MaxSet"], "default": "Actual"},
        "componentInstance": {"type": "string", "maxLength": 50}, "variableInstance": {"type": "string", "maxLength": 50},
        "evseId": {"type": "integer", "minimum": 0}, "connectorId": {"type": "integer", "minimum": 0},
        "mutability": {"type": "string", "enum": ["ReadOnly", "WriteOnly", "ReadWrite"], "nullable": True},
        "dataType": {"type": "string", "nullable": True}}},
    "AuthRequired": {"type": "object", "required": ["required"], "properties": {
        "required": {"type": "boolean", "nullable": True,
                     "description": "null: follow the setting station.auth_required"}}},
    "Operations": {"type": "object", "required": ["version", "operations"], "properties": {
        "version": {"type": "string"}, "operations": {"type": "array", "items": {"type": "string"}}}},
    "JsonSchema": {**OBJECT, "description": "An OCA JSON schema (draft 4 or 6) as the OCPP release ships it"},
    **SITE_SCHEMAS,
    **OPS_SCHEMAS,
    # station management and settings (helper stations18)
    "RegistrationBody": {"type": "object", "required": ["status"], "properties": {
        "status": {"type": "string", "enum": ["Accepted", "Pending", "Rejected"]}}},
    "PasswordBody": {"type": "object", "required": ["password"], "properties": {
        "password": {"type": "string", "format": "password", "writeOnly": True, "minLength": 1,
                     "nullable": True, "description": "null removes the password"}}},
    "SecurityProfileBody": {"type": "object", "required": ["profile"], "properties": {
        "profile": {"type": "integer", "minimum": 0, "maximum": 3, "nullable": True,
                    "description": "null: follow the setting station.security_profile"}}},
    "AccountBody": {"type": "object", "properties": {"account": TEXT}},
    "HeartbeatIntervalBody": {"type": "object", "required": ["seconds"], "properties": {
        "seconds": {"type": "integer", "minimum": 1, "nullable": True,
                    "description": "null: follow the setting boot.heartbeat_interval"}}},
    "Setting": _object(key={"type": "string"}, value={"description": "any JSON, as the key allows"},
                       description={"type": "string"}),
    "SettingList": {"type": "array", "items": {"$ref": "#/components/schemas/Setting"}},
    "SettingBody": {"type": "object", "required": ["value"], "properties": {
        "value": {"description": "any JSON the key allows (docs/sql-api.md, \"Settings\")"}}},
    **ID_TAG_SCHEMAS,
}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _path_parameter(name: str, path: str) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer"} if name in ("id", "evseId") else {"type": "string"}
    description = {"identity": "the station's identity", "id": "the id",
                   "idTag": "the id tag", "tariffId": "the tariff's id",
                   "evseId": "the EVSE id (0: the station itself)",
                   "version": "an OCPP version: 1.5, 1.6, 2.0.1 or 2.1",
                   "operation": "an OCPP operation (action) name",
                   "key": "a setting's key, e.g. boot.unknown_station"}[name]
    if name == "operation" and path.startswith("/ChargePoint/"):
        description = ("an OCPP operation without a path of its own, such as one only 2.1 has (e.g. "
                       "SetDERControl); 400 if the station's version does not have it")
    return {"name": name, "in": "path", "required": True, "schema": schema, "description": description}


# The versions whose schemas document an operation's path (2.1 stations take every 2.0.1 operation).
OCPP_VERSIONS = {"1.6": V16_OPERATIONS, "2.0.1": V201_OPERATIONS}
# The 1.6 operations whose 1.6-form payload ocpp.send translates for a 2.0.1 or 2.1 station, and what
# into (cs.v201_translate; docs/commands.md, "Translation"; a test checks this against SQL).
TRANSLATED = {
    "ChangeAvailability": "ChangeAvailability", "ClearChargingProfile": "ClearChargingProfile",
    "ExtendedTriggerMessage": "TriggerMessage", "GetCompositeSchedule": "GetCompositeSchedule",
    "GetInstalledCertificateIds": "GetInstalledCertificateIds", "InstallCertificate": "InstallCertificate",
    "RemoteStartTransaction": "RequestStartTransaction", "RemoteStopTransaction": "RequestStopTransaction",
    "ReserveNow": "ReserveNow", "Reset": "Reset", "SendLocalList": "SendLocalList",
    "SetChargingProfile": "SetChargingProfile", "SignedUpdateFirmware": "UpdateFirmware",
    "TriggerMessage": "TriggerMessage", "UnlockConnector": "UnlockConnector",
    "UpdateFirmware": "UpdateFirmware",
}


def _ocpp_operation(route: Route, operation: dict[str, Any]) -> None:
    """The description, request body and 200 body of the command path of one OCPP operation: the
    bodies are anyOf the schemas of the versions that have it (a payload may fit several)."""
    op = route.ocpp
    assert op is not None
    versions = [v for v, names in OCPP_VERSIONS.items() if op in names]
    stations = (["1.6"] if "1.6" in versions else []) + (["2.0.1", "2.1"] if "2.0.1" in versions else [])
    files = {"1.6": f"1.6: `{op}.json`", "2.0.1": f"2.0.1: `{op}Request.json` (a 2.1 station's: 2.1's)"}
    text = [f"OCPP {' and '.join(stations)} stations have {op}."]
    responses = [response_ref(v, op) for v in versions]
    if op in TRANSLATED:
        text.append(f"To a 2.0.1 or 2.1 station a 1.6-form request is translated into the 2.0.1 "
                    f"{TRANSLATED[op]} (docs/commands.md, \"Translation\"), which answers.")
        if "2.0.1" not in versions:
            responses.append(response_ref("2.0.1", TRANSLATED[op]))
    text.append("The body is the request payload of the station's version ("
                + "; ".join(files[v] for v in versions) + "), checked against that schema (400 naming "
                "the field); the answer is the station's response payload. A station of another "
                "version: 400.")
    operation["description"] = " ".join(text)
    operation["x-ocpp-versions"] = stations
    operation["operationId"] = f"{route.handler.__name__}_{op}"
    operation["requestBody"] = {"required": True, "content": {"application/json": {
        "schema": {"anyOf": [request_ref(v, op) for v in versions]}}}}
    operation["responses"]["200"]["content"]["application/json"]["schema"] = \
        {"anyOf": responses}


@lru_cache(maxsize=1)
def openapi_spec() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        parameters = [_path_parameter(n, route.path) for n in re.findall(r"{(\w+)}", route.path)]
        parameters += [{"name": n, "in": "query", "required": False, "description": d,
                        "schema": {"type": t, **({"minimum": 0} if t == "integer" else {})}}
                       for n, t, d in route.query]
        responses: dict[str, Any] = {}
        if route.status == 204:
            responses["204"] = {"description": "Done"}
        else:
            responses[str(route.status)] = {"description": "OK", "content": {
                route.response_media: {"schema": _ref(route.response)}}}
            if route.response_headers:
                responses[str(route.status)]["headers"] = {
                    name: {"description": text, "schema": {"type": "integer"}}
                    for name, text in route.response_headers.items()}
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
                                        "content": {route.body_media: {"schema": _ref(route.body)}}}
        if route.ocpp:
            _ocpp_operation(route, operation)
        operation["security"] = [] if route.open else [{"bearer": []}]
        paths.setdefault(PREFIX + route.path, {})[route.method.lower()] = operation
    return {
        "openapi": "3.0.3",
        "info": {"title": "ocpp-cs REST API", "version": __version__,
                 "description": "A thin layer over the ocpp.* SQL functions of ocpp-cs. Bearer tokens "
                                "come from `ocpp-cs token create NAME --role read|operator`."},
        "paths": paths,
        "components": {"schemas": {**SCHEMAS, **ocpp_components(OCPP_VERSIONS)},
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
    }
