"""The OCA JSON schemas of the OCPP operations (server/validation/schemas/<version>/) as OpenAPI 3.0
components, for the spec of the command paths (openapi.py).

The OCA files are JSON Schema draft-04 (1.6) and draft-06 (2.0.1): each has its own `definitions`,
referenced as `#/definitions/X`, and keywords an OpenAPI 3.0 Schema Object does not know (`$schema`,
`$id`, `id`, `comment`, `javaType`, `additionalItems`). `ocpp_components` turns them once into
`components/schemas` entries named `<prefix>.<name>`:

- a message: `v16.ResetRequest`, `v16.ResetResponse` (1.6 names its request files Reset.json),
  `v201.ResetRequest`, `v201.ResetResponse`;
- a definition: `v201.ResetEnumType`, `v201.CustomDataType`, with every `#/definitions/X` rewritten
  to `#/components/schemas/v201.X`.

Only the keywords of an OpenAPI 3.0 Schema Object are kept (the constraints: type, enum, required,
additionalProperties, maxLength, minimum, multipleOf, format, ...; and description, title,
default); the names under `properties` are data, not keywords, so a property called `format` or
`id` stays. Nothing is shared across versions: 1.6's and 2.0.1's same names differ. Within a version
the files repeat their definitions; the copies only differ in their descriptions (checked here), and
the first file's wins.
"""
from __future__ import annotations

import json
from typing import Any

from ..validation.schemas import message_file

# The OCPP versions whose schemas the spec documents, and their component name prefixes.
PREFIXES = {"1.6": "v16", "2.0.1": "v201"}

# The fields of an OpenAPI 3.0.3 Schema Object (everything else of the OCA files is dropped).
SCHEMA_KEYWORDS = frozenset({
    "title", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength",
    "minLength", "pattern", "maxItems", "minItems", "uniqueItems", "maxProperties", "minProperties",
    "required", "enum", "type", "allOf", "oneOf", "anyOf", "not", "items", "properties",
    "additionalProperties", "description", "format", "default", "nullable", "readOnly", "writeOnly",
    "example", "deprecated", "$ref",
})
_SUBSCHEMA = {"items", "not"}                   # a schema
_SUBSCHEMA_LISTS = {"allOf", "oneOf", "anyOf"}  # a list of schemas


def component_name(version: str, name: str) -> str:
    """components/schemas name of a message (ResetRequest, ResetResponse) or definition of version."""
    return f"{PREFIXES[version]}.{name}"


def convert(schema: Any, version: str) -> Any:
    """One OCA (sub)schema as an OpenAPI 3.0 Schema Object: unknown keywords dropped, refs rewritten."""
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key not in SCHEMA_KEYWORDS:
            continue
        if key == "$ref":
            if not value.startswith("#/definitions/"):
                raise ValueError(f"OCPP {version}: cannot convert $ref {value}")
            value = "#/components/schemas/" + component_name(version, value.removeprefix("#/definitions/"))
        elif key == "properties":
            value = {name: convert(sub, version) for name, sub in value.items()}
        elif key in _SUBSCHEMA or (key == "additionalProperties" and isinstance(value, dict)):
            if not isinstance(value, dict):
                raise ValueError(f"OCPP {version}: {key} must be one schema")
            value = convert(value, version)
        elif key in _SUBSCHEMA_LISTS:
            value = [convert(sub, version) for sub in value]
        out[key] = value
    return out


def _without_descriptions(schema: Any) -> Any:
    """schema without its description keywords (a property named description stays)."""
    if isinstance(schema, list):
        return [_without_descriptions(v) for v in schema]
    if not isinstance(schema, dict):
        return schema
    return {k: ({n: _without_descriptions(p) for n, p in v.items()} if k == "properties"
                else _without_descriptions(v))
            for k, v in schema.items() if k != "description"}


def _add(components: dict[str, Any], name: str, schema: dict[str, Any], source: str) -> None:
    if name in components:
        if _without_descriptions(components[name]) != _without_descriptions(schema):
            raise ValueError(f"{source}: {name} differs from an earlier file's")
        return
    components[name] = schema


def _message(version: str, name: str) -> dict[str, Any]:
    """The components of one message file: the message and its definitions."""
    path = message_file(version, name)
    raw = json.loads(path.read_text())
    source = f"{version}/{path.name}"
    components: dict[str, Any] = {}
    for definition, schema in raw.get("definitions", {}).items():
        _add(components, component_name(version, definition), convert(schema, version), source)
    message = component_name(version, name if name.endswith("Response") else name + "Request")
    _add(components, message, convert(raw, version), source)
    return components


def ocpp_components(operations: dict[str, list[str]]) -> dict[str, Any]:
    """components/schemas entries of the request and response messages of operations, given as
    {version: [operation, ...]} (openapi.openapi_spec builds them once and keeps the spec)."""
    components: dict[str, Any] = {}
    for version, names in operations.items():
        for operation in names:
            for name in (operation, operation + "Response"):
                for component, schema in _message(version, name).items():
                    _add(components, component, schema, f"{version}/{message_file(version, name).name}")
    return components


def request_ref(version: str, operation: str) -> dict[str, str]:
    return {"$ref": "#/components/schemas/" + component_name(version, operation + "Request")}


def response_ref(version: str, operation: str) -> dict[str, str]:
    return {"$ref": "#/components/schemas/" + component_name(version, operation + "Response")}
