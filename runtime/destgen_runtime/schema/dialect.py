"""Adobe's dialect of JSON Schema, read as standard JSON Schema before any check: what real
connection specs write that means something the generator already models. Also what a spec says
of its destination: whether it delivers files or a stream, and whether it is a destination at all.

Each rewrite says what it did (a note the command prints), so nothing changes silently:

- ``isRequired: true`` on a property (Braze, Airship) is the property being required;
- ``required`` listed among ``properties`` as an array of names (Adobe Campaign, Salesforce
  Marketing Cloud) is the object's ``required``, misplaced;
- a destination spec with no ``authSpec`` takes no credentials (an empty list);
- an empty ``default`` on a secret field (legacy S3 and Azure Blob specs) is no default: a
  secret default would be shipped in clear to every user, and an empty one says nothing;
- an empty ``default`` on a required field (the 2020 ``bucketName``, ``path``,
  ``accessKeyId``) is no default either: JSON Schema's ``default`` never satisfies
  ``required``, and read as one it would make the field optional and send ``""``;
- ``if: {properties: {F: {const: V}}}`` with ``then`` requiring fields (an encryption spec whose
  PGP choice requires ``publicKey``) is a field-required conditional, enforced by the models as
  the spec's own conditionals are.

Anything else stays as written and meets the checks in specs.py, which refuse it with a pointer.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from destgen_runtime.schema.conditionals import CONDITIONALS_KEY
from destgen_runtime.schema.json_path import pointer_child as child

# The spec sections that hold JSON Schemas, with the pointer of each schema.
SCHEMA_SECTIONS = ("authSpec", "encryptionSpecs", "encryption")


def standardise(
    spec: dict[str, Any], *, translate_if: bool = True
) -> tuple[dict[str, Any], list[str]]:
    """A copy of ``spec`` in standard JSON Schema (plus destgen's conditionals), and one note per
    rewrite, each ``/pointer: what was read how``. ``translate_if=False`` leaves if/then as
    written, for a reader that evaluates JSON Schema natively (the emulator's jsonschema).
    """
    result = copy.deepcopy(spec)
    notes: list[str] = []
    if "authSpec" not in result and isinstance(result.get("targetSpec"), dict):
        result["authSpec"] = []
        notes.append("/authSpec: missing; read as a destination that takes no credentials")
    for pointer, schema in _schemas(result):
        _standardise_object(pointer, schema, notes, translate_if)
    return result, notes


def _schemas(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for section in SCHEMA_SECTIONS:
        entries = spec.get(section)
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, dict) and isinstance(entry.get("spec"), dict):
                yield child(f"/{section}", index, "spec"), entry["spec"]
    target = spec.get("targetSpec")
    if isinstance(target, dict) and isinstance(target.get("spec"), dict):
        yield "/targetSpec/spec", target["spec"]


def _standardise_object(
    pointer: str, schema: dict[str, Any], notes: list[str], translate_if: bool
) -> None:
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return
    required = schema.get("required")
    names = list(required) if isinstance(required, list) else []
    names += _misplaced_required(pointer, properties, names, notes)
    for name, prop in properties.items():
        if isinstance(prop, dict):
            where = child(pointer, "properties", name)
            if _read_is_required(where, prop, notes) and name not in names:
                names.append(name)
            if prop.get("format") == "password" and prop.get("default") == "":
                del prop["default"]
                notes.append(f"{where}/default: an empty default on a secret, dropped")
            _standardise_object(where, prop, notes, translate_if)
    _drop_empty_defaults(pointer, properties, names, notes)
    if names or "required" in schema:
        schema["required"] = names
    rules = _required_when(schema) if translate_if else None
    if rules is not None:
        for key in ("if", "then"):
            del schema[key]
        schema[CONDITIONALS_KEY] = [*schema.get(CONDITIONALS_KEY, []), *rules]
        notes.append(f"{pointer}/if: read as {len(rules)} field(s) required when the if holds")


def _misplaced_required(
    pointer: str, properties: dict[str, Any], names: list[str], notes: list[str]
) -> list[str]:
    """The names of a ``required`` array listed among ``properties`` (removed from there) that
    the object's own list lacks.
    """
    misplaced = properties.get("required")
    if not isinstance(misplaced, list) or not all(isinstance(n, str) for n in misplaced):
        return []
    del properties["required"]
    notes.append(f"{child(pointer, 'properties', 'required')}: read as the object's required list")
    return [n for n in misplaced if n not in names]


def _read_is_required(where: str, prop: dict[str, Any], notes: list[str]) -> bool:
    """``isRequired: true`` on a property (removed): whether it makes the property required."""
    if not isinstance(prop.get("isRequired"), bool):
        return False
    notes.append(f"{where}/isRequired: read as required")
    return bool(prop.pop("isRequired"))


def _drop_empty_defaults(
    pointer: str, properties: dict[str, Any], names: list[str], notes: list[str]
) -> None:
    """An empty ``default`` on a required field is no default: the field stays required."""
    for name in names:
        prop = properties.get(name)
        if isinstance(prop, dict) and prop.get("default") == "":
            del prop["default"]
            notes.append(
                f"{child(pointer, 'properties', name)}/default: an empty default on a required "
                "field, dropped (it stays required)"
            )


def _required_when(schema: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The rules of an ``if``/``then`` that makes fields required when one field has one value,
    or None when the pair says anything else (left for the checks to refuse).
    """
    condition, then = schema.get("if"), schema.get("then")
    if "else" in schema or not isinstance(condition, dict) or not isinstance(then, dict):
        return None
    tested = _tested_field(schema, condition)
    if tested is None:
        return None
    field, value = tested
    fields = _then_required(then, schema.get("properties") or {})
    if not fields:
        return None
    return [
        {"field": name, "when": field, "operator": "EQUALS", "value": value, "required": True}
        for name in fields
    ]


def _tested_field(schema: dict[str, Any], condition: dict[str, Any]) -> tuple[str, Any] | None:
    """The one declared field an ``if`` tests and the one value it tests for; None otherwise.

    JSON Schema's if holds when the field is absent; the models' EQUALS does not. The two agree
    only where the field cannot be absent: required by the object or by the if itself.
    """
    tested = condition.get("properties")
    if set(condition) - {"properties", "required"} or not isinstance(tested, dict):
        return None
    if len(tested) != 1:
        return None
    ((field, test),) = tested.items()
    value = _single_value(test)
    if field not in (schema.get("properties") or {}) or value is None:
        return None
    required_by_object = field in (schema.get("required") or [])
    if not required_by_object and field not in (condition.get("required") or []):
        return None
    return field, value[0]


def _then_required(then: dict[str, Any], declared: dict[str, Any]) -> list[str] | None:
    """The declared fields a ``then`` (or each part of its ``allOf``) only requires; None when
    it says anything else.
    """
    parts = then.get("allOf", [then]) if set(then) == {"allOf"} else [then]
    fields: list[str] = []
    for part in parts if isinstance(parts, list) else []:
        if not isinstance(part, dict) or set(part) != {"required"}:
            return None
        listed = part["required"]
        if not isinstance(listed, list) or not all(n in declared for n in listed):
            return None
        fields += [n for n in listed if n not in fields]
    return fields


def _single_value(test: Any) -> tuple[Any] | None:
    """``(V,)`` for ``{const: V}`` or ``{enum: [V]}``, else None."""
    if not isinstance(test, dict):
        return None
    if set(test) == {"const"}:
        return (test["const"],)
    if set(test) == {"enum"} and isinstance(test["enum"], list) and len(test["enum"]) == 1:
        return (test["enum"][0],)
    return None


# How a spec says it delivers files rather than a stream: its declared frequency, or else a target
# param only file exports have (a folder, a bucket, a file type). Data, not a list of slugs.
FILE_FREQUENCY, STREAMING_FREQUENCY = "Batch", "Streaming"
FILE_TARGET_KEYS = frozenset(
    {
        "path",
        "remotePath",
        "folder",
        "folderPath",
        "bucketName",
        "container",
        "storageAccountContainer",
        "fileType",
        "datasetFileType",
        "S3",
        "FTP",
    }
)


def delivers_files(data: Any) -> bool:
    """Whether the destination writes files (batch) rather than streaming profiles: what the spec
    declares as its frequency, else whether its target names a folder, bucket or file type.
    """
    target = _member(data, "targetSpec")
    ui = _member(_member(target, "attributes"), "uiAttributes")
    declared = _member(data, "attributes").get("frequency") or _member(ui, "frequency").get("key")
    if declared in (FILE_FREQUENCY, STREAMING_FREQUENCY):
        return bool(declared == FILE_FREQUENCY)
    return bool(FILE_TARGET_KEYS & set(_member(_member(target, "spec"), "properties")))


def _member(parent: Any, key: str) -> Any:
    """``parent[key]`` when both are objects, else an empty one: attributes are free-form."""
    value = parent.get(key) if isinstance(parent, dict) else None
    return value if isinstance(value, dict) else {}


# targetSpec types that are no Flow Service destination: tag extensions are activated through
# the tags (Launch) service, with no base connection, target connection or dataflow of this API.
NOT_DESTINATION_TARGETS = {
    "Launch": "a tag (Launch) extension, activated through the tags service, not a Flow Service "
    "destination",
}


# The Data Lake as a target: where ingestion (source) flows land data in Platform datasets. The
# Flow Service API's file calls its id fixed; its target params are a dataset id.
DATA_LAKE_TARGET_SPEC_ID = "c604ff05-7f1a-43c0-8e18-33bf874cb11c"
DATA_LAKE_REASON = (
    "the Data Lake, where ingestion (source) flows land data in Platform datasets: data comes in "
    "through it, never goes out, so it is not a destination"
)


def _is_data_lake(spec: Any, target: Any) -> bool:
    """The Data Lake target: its fixed id, or a target whose only param is the dataset to
    ingest into (``dataSetId``, as the Flow Service API's Data Lake target connection has).
    """
    if isinstance(spec, dict) and spec.get("id") == DATA_LAKE_TARGET_SPEC_ID:
        return True
    schema = target.get("spec") if isinstance(target, dict) else None
    properties = schema.get("properties") if isinstance(schema, dict) else None
    return isinstance(properties, dict) and set(properties) == {"dataSetId"}


def not_a_destination(spec: Any) -> tuple[str, str] | None:
    """``(pointer, reason)`` when ``spec`` is no destination this API activates (a tag extension,
    a source spec with no targetSpec, the Data Lake that ingestion flows write to), else None.
    """
    target = spec.get("targetSpec") if isinstance(spec, dict) else None
    if _is_data_lake(spec, target):
        return "/id", DATA_LAKE_REASON
    if not isinstance(target, dict):
        kind = "a source connection spec" if "sourceSpec" in (spec or {}) else "a connection spec"
        return "/targetSpec", f"{kind} with no targetSpec, not a destination"
    reason = NOT_DESTINATION_TARGETS.get(str(target.get("type")))
    return None if reason is None else ("/targetSpec/type", reason)
