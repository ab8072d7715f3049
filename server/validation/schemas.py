"""Validation against the OCA JSON schemas of each OCPP version (vendored under schemas/<version>/).

A violation becomes the precise OCPP-J error: the schema keyword that failed decides the code.
`multipleOf` is checked by fastjsonschema on Decimal(repr(value)), so 0.3 is a multiple of 0.1.
"""
from __future__ import annotations

import json
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import fastjsonschema

from ..protocol import actions as directions

SCHEMA_DIR = Path(__file__).parent / "schemas"

_KEYWORD_CODE = {
    "type": "TypeConstraintViolation",
    "required": "OccurenceConstraintViolation",
    "minItems": "OccurenceConstraintViolation",
    "maxItems": "OccurenceConstraintViolation",
    "uniqueItems": "OccurenceConstraintViolation",
    "additionalProperties": "FormationViolation",
}

_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_DATE_TIME_WITHOUT_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?$")

# Constraints the OCPP 1.6 specification states (section 6) that its OCA JSON schemas leave out:
# a negative connectorId is no connector. (message, property) → minimum.
SPEC_MINIMUMS = {
    "1.6": {("StatusNotification", "connectorId"): 0, ("MeterValues", "connectorId"): 0,
            ("StartTransaction", "connectorId"): 1},
}

# Doubles that are integers up to 2**53 are exact; beyond that a "1e19" is no integer anyone meant.
_EXACT_INTEGER = 2 ** 53


def is_date_time(value: str) -> bool:
    """RFC 3339 date-time with a real calendar date and time, and an explicit offset."""
    if not _DATE_TIME.match(value):
        return False
    try:
        datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


class ValidationError(Exception):
    def __init__(self, code: str, description: str, details: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.details = details or {}


Validator = Callable[[Any], Any]


def message_file(version: str, name: str) -> Path:
    """The OCA schema file of message name (Reset, ResetResponse) of version: 1.6 names its files
    Action.json, 2.0.1 and 2.1 ActionRequest.json; replies are ActionResponse.json in all three."""
    if version == "1.6" or name.endswith("Response"):
        return SCHEMA_DIR / version / f"{name}.json"
    return SCHEMA_DIR / version / f"{name}Request.json"


# What normalise() looks at, per schema node: ("int",), ("date-time",), ("object", {name: node}),
# ("array", node); None where nothing below needs looking at.
Plan = tuple | None


def _plan(schema: dict[str, Any], root: dict[str, Any], seen: frozenset[str] = frozenset()) -> Plan:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/definitions/"):
        name = ref.removeprefix("#/definitions/")
        if name in seen:  # a recursive definition: nothing the OCA schemas have
            return None
        return _plan(root.get("definitions", {}).get(name, {}), root, seen | {name})
    kind = schema.get("type")
    if kind == "integer":
        return ("int",)
    if kind == "string" and schema.get("format") == "date-time":
        return ("date-time",)
    if kind == "object" or "properties" in schema:
        props = {k: p for k, v in (schema.get("properties") or {}).items()
                 if (p := _plan(v, root, seen)) is not None}
        return ("object", props) if props else None
    if kind == "array" and isinstance(schema.get("items"), dict):
        item = _plan(schema["items"], root, seen)
        return ("array", item) if item is not None else None
    return None


def _normalise(plan: Plan, value: Any, path: str, integral_floats: bool,
               utc_without_offset: bool) -> Any:
    """value with the tolerated forms rewritten (copies, never in place: the message log holds the
    original); raises ValidationError for an integral float that is not tolerated."""
    if plan is None:
        return value
    what = plan[0]
    if what == "int":
        if isinstance(value, float) and value.is_integer():
            if abs(value) > _EXACT_INTEGER:  # orjson reads integers beyond 64 bits as doubles
                raise ValidationError("PropertyConstraintViolation",
                                      f"{path or '(payload)'}: {value:.0f} is out of range",
                                      {"field": path, "rule": "maximum"})
            if not integral_floats:
                raise ValidationError("TypeConstraintViolation",
                                      f"{path or '(payload)'}: must be integer, not {value!r}",
                                      {"field": path, "rule": "type"})
            return int(value)
        return value
    if what == "date-time":
        if utc_without_offset and isinstance(value, str) and _DATE_TIME_WITHOUT_OFFSET.match(value):
            return value + "Z"
        return value
    if what == "object":
        if not isinstance(value, dict):
            return value
        changed: dict[str, Any] | None = None
        for name, sub in plan[1].items():
            if name in value:
                new = _normalise(sub, value[name], f"{path}.{name}" if path else name,
                                 integral_floats, utc_without_offset)
                if new is not value[name]:
                    if changed is None:
                        changed = dict(value)
                    changed[name] = new
        return value if changed is None else changed
    if not isinstance(value, list):  # array
        return value
    items = [_normalise(plan[1], item, f"{path}[{i}]", integral_floats, utc_without_offset)
             for i, item in enumerate(value)]
    return value if all(a is b for a, b in zip(items, value)) else items


class Schemas:
    """The request and reply validators of one OCPP version."""

    def __init__(self, version: str):
        self.version = version
        folder = SCHEMA_DIR / version
        if not folder.is_dir():
            raise ValueError(f"no schemas for OCPP version {version}")
        self._validators: dict[str, Validator] = {}
        self._plans: dict[str, Plan] = {}
        minimums = SPEC_MINIMUMS.get(version, {})
        for path in sorted(folder.glob("*.json")):
            schema = json.loads(path.read_text())
            schema.pop("id", None)
            schema.pop("$id", None)
            # the inverse of message_file
            name = path.stem if path.stem.endswith("Response") else path.stem.removesuffix("Request")
            for (message, prop), minimum in minimums.items():
                if message == name and prop in schema.get("properties", {}):
                    schema["properties"][prop]["minimum"] = minimum
            self._validators[name] = fastjsonschema.compile(
                schema, formats={"date-time": is_date_time}, use_default=False)
            self._plans[name] = _plan(schema, schema)
        self.actions = frozenset(n for n in self._validators if not n.endswith("Response"))
        # Who sends what: protocol/actions.py (a test holds it to these files).
        self.station_actions = directions.sent_by(version, directions.STATION)
        self.send_actions = directions.send_actions(version)

    def check_request(self, action: str, payload: dict[str, Any]) -> None:
        self._check(action, payload)

    def normalise_request(self, action: str, payload: dict[str, Any], *,
                          integral_floats: bool = True,
                          utc_without_offset: bool = True) -> dict[str, Any]:
        """The payload as the schema reads it, before check_request: an integral float (1.0, 1e0)
        where the schema says integer becomes an int, a date-time without offset gets a Z (each
        when tolerated). Raises ValidationError (TypeConstraintViolation) for an integral float
        not tolerated, which fastjsonschema alone would let through to SQL."""
        return _normalise(self._plans.get(action), payload, "", integral_floats,
                          utc_without_offset)

    def check_response(self, action: str, payload: Any) -> None:
        self._check(action + "Response", payload)

    def _check(self, name: str, payload: Any) -> None:
        validator = self._validators.get(name)
        if validator is None:
            raise ValidationError("NotImplemented", f"no schema for {name}")
        try:
            validator(payload)
        except fastjsonschema.JsonSchemaValueException as e:
            field = (e.name or "data").removeprefix("data").lstrip(".") or "(payload)"
            code = _KEYWORD_CODE.get(e.rule or "", "PropertyConstraintViolation")
            details: dict[str, Any] = {"field": field, "rule": e.rule}
            if e.rule == "required" and isinstance(e.value, dict):
                # field is the object; missing names the properties it lacks, by their own paths
                # (the REST API and the web UI point at the first)
                prefix = "" if field == "(payload)" else field + "."
                details["missing"] = [prefix + name for name in e.rule_definition or ()
                                      if name not in e.value]
            raise ValidationError(code, f"{field}: {e.message.removeprefix(e.name or '').strip()}",
                                  details) from None


@lru_cache(maxsize=None)
def schemas_for(version: str) -> Schemas:
    return Schemas(version)
