"""Turns a loaded connection spec into the IR: names, resolved conditionals, secret rules, builder
params.

Every decision about the spec's meaning is made here; templates and models.py only follow the IR.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from destgen_runtime.schema.conditionals import (
    AUDIENCE_WORKFLOW,
    CONDITIONALS_KEY,
    DATASET_WORKFLOW,
    WORKFLOW_FIELD,
    in_workflow,
)

# The one evaluator of Adobe's conditional keyword, shared with the library and `destgen diff`.
from destgen_runtime.schema.dialect import delivers_files
from destgen_runtime.schema.naming import pascal, snake

from destgen.errors import GeneratorError, child
from destgen.ir import REQUEST_ENVELOPES, AuthVariant, DestinationIR, FieldType, Param, SchemaUnit
from destgen.literal import source_literal
from destgen.specs import SUPPORTED_KEYWORDS, LoadedSpec
from destgen_emulator.service.spec_validator import auth_schema, with_synonyms

# Target params every documented request sends but no targetSpec declares (docs/api-contract.md
# §2.5): for the current file-based specs only, which declare the file format (fileType or
# datasetFileType) the documented requests go with.
TARGET_ADDITIONS: dict[str, dict[str, Any]] = {
    "mode": {
        "type": "string",
        "enum": ["Server-to-server"],
        "default": "Server-to-server",
        "description": "Connection mode; every current example sends Server-to-server.",
    },
    "includeFileManifest": {
        "type": "boolean",
        "description": "Write a manifest-<destinationId>-<dataflowRunId>.json beside the files.",
    },
}
# An older file-based spec (2020: legacy S3, SFTP, Azure Blob) declares neither: nothing is added
# to what it sends, and a target stored with its legacy mode (S3, AZURE_BLOB, FTP, api-contract
# §2.5) still reads back; the schema allows it, and so does the model, sent only when given.
LEGACY_MODE: dict[str, Any] = {
    "type": "string",
    "description": "The connection mode a legacy target was stored with (S3, AZURE_BLOB, FTP); "
    "sent only when given.",
}
FILE_FORMAT_PARAMS = ("fileType", "datasetFileType")
DATASET_TARGET_BASE = "destgen_runtime.payloads.datasets.DatasetTargetModel"

# Class names a destination's modules define or import whatever the spec says; a spec name that
# becomes one of them would shadow it (an auth spec named "Target" would redefine TargetParams).
RESERVED_CLASSES = {
    **dict.fromkeys(REQUEST_ENVELOPES, "a request envelope"),
    "Encryption": "the encryption envelope",
    "EncryptionParams": "the encryption params",
    "TargetParams": "the target params",
    "DatasetTargetParams": "the dataset target params",
    "DatasetTargetConnection": "the dataset target envelope",
    "DatasetDataflow": "the dataset dataflow envelope",
    "DatasetFlowSpecRef": "the dataset flow spec reference",
    "DatasetSchedule": "an imported name",
    **dict.fromkeys(
        (
            "AliasChoices",
            "Annotated",
            "Any",
            "AudienceSelector",
            "BaseModel",
            "ConfigDict",
            "Field",
            "Literal",
            "NonEmpty",
            "PlainSpecModel",
            "SecretRule",
            "SecretStr",
            "SpecModel",
            "SpecRef",
            "TextRule",
        ),
        "an imported name",
    ),
}

# Keyword arguments each kind of builder has besides the spec's own parameters (builders.py.jinja).
BUILDER_ARGUMENTS = {
    "auth": frozenset({"name", "description", "encryption"}),
    "encryption": frozenset({"spec_name"}),
    "target": frozenset({"name", "description", "base_connection_id"}),
    "dataset": frozenset({"name", "description", "base_connection_id"}),
}


def partner_schema(data: Mapping[str, Any]) -> dict[str, Any] | None:
    """``targetSpec.attributes.partnerSchema.jsonSchema``: the shape of the destination's export
    (a mapping set's output schema starts from it); None when the spec gives none.
    """
    attributes = (data.get("targetSpec") or {}).get("attributes") or {}
    found = (attributes.get("partnerSchema") or {}) if isinstance(attributes, dict) else {}
    schema = found.get("jsonSchema") if isinstance(found, dict) else None
    return schema if isinstance(schema, dict) else None


def build_ir(spec: LoadedSpec) -> DestinationIR:
    """The IR of one destination; raises GeneratorError naming the spec file and pointer."""
    data = spec.data
    types: dict[str, FieldType] = {}
    auth = tuple(
        _auth_variant(spec, index, entry, types) for index, entry in enumerate(data["authSpec"])
    )
    builders = [a.builder for a in auth]
    if len(auth) == 1:
        auth = (
            AuthVariant(auth[0].spec_name, "base_connection", auth[0].auth_class, auth[0].unit),
        )
    elif len(set(builders)) != len(builders):
        raise GeneratorError(spec.file, "/authSpec", "two auth specs map to the same builder name")
    encryption_entries = data.get("encryptionSpecs") or []
    encryption = None
    if encryption_entries:
        # Every documented spec has exactly one encryption spec (PGP/GPG); more would need a
        # selector.
        if len(encryption_entries) > 1:
            raise GeneratorError(
                spec.file, "/encryptionSpecs/1", "only one encryption spec is supported"
            )
        encryption = _unit(
            spec,
            "encryption",
            "EncryptionParams",
            "/encryptionSpecs/0/spec",
            with_synonyms(encryption_entries[0]["spec"]),
            types,
        )
    target_schema = _target_schema(spec, AUDIENCE_WORKFLOW)
    target = _unit(spec, "target", "TargetParams", "/targetSpec/spec", target_schema, types)
    # The dataset workflow, from the same targetSpec, where the spec declares workflows at all.
    dataset_target = (
        replace(
            _unit(
                spec,
                "dataset_target",
                "DatasetTargetParams",
                "/targetSpec/spec",
                _target_schema(spec, DATASET_WORKFLOW),
                types,
            ),
            # JSON needs GZIP: a rule of the dataset export page that no spec states.
            root_base=DATASET_TARGET_BASE,
        )
        if _declares_workflows(data["targetSpec"]["spec"])
        else None
    )
    nested = tuple(
        sorted(
            pascal(n) for n, s in target_schema["properties"].items() if s.get("type") == "object"
        )
    )
    _check_class_names(spec, data, types)
    return DestinationIR(
        slug=spec.slug,
        name=data["name"],
        # Never an absolute path: the bytes must not depend on where the specs are. A curated
        # entry's file is specs_cache/<slug>.json; a raw spec is named by its file.
        spec_file=(
            f"specs_cache/{spec.slug}.json" if spec.manifest_entry else Path(spec.file).name
        ),
        sha256=spec.sha256,
        connection_spec_id=data["id"],
        connection_spec_version=data["version"],
        flow_spec_id=spec.audience_flow_spec_id,
        dataset_flow_spec_id=spec.dataset_flow_spec_id,
        streaming=not delivers_files(data),
        partner_schema=partner_schema(data),
        auth=auth,
        encryption=encryption,
        encryption_spec_name=encryption_entries[0]["name"] if encryption_entries else None,
        target=target,
        dataset_target=dataset_target,
        field_types=tuple(sorted(types.values(), key=lambda t: t.name)),
        nested_classes=nested,
    )


def _check_class_names(spec: LoadedSpec, data: Any, types: dict[str, FieldType]) -> None:
    """Every class name the spec gives rise to is new: auth classes, nested objects, field types."""
    owners = dict(RESERVED_CLASSES)

    def claim(name: str, pointer: str, source: str, owner: str) -> None:
        if name in owners:
            raise GeneratorError(
                spec.file,
                pointer,
                f"{source!r} becomes the class name {name!r}, which {owners[name]} already uses",
            )
        owners[name] = owner

    def nested(pointer: str, schema: Any) -> None:
        for prop_name, prop in (schema.get("properties") or {}).items():
            prop_pointer = child(pointer, "properties", prop_name)
            if isinstance(prop, dict) and prop.get("type") == "object":
                claim(pascal(prop_name), prop_pointer, prop_name, f"the object at {prop_pointer}")
                nested(prop_pointer, prop)

    for index, entry in enumerate(data["authSpec"]):
        pointer = f"/authSpec/{index}/name"
        for suffix in ("Params", "Auth"):
            claim(
                pascal(f"{entry['name']} {suffix}"),
                pointer,
                entry["name"],
                f"the auth spec {index}",
            )
    for index, entry in enumerate(data.get("encryptionSpecs") or []):
        nested(f"/encryptionSpecs/{index}/spec", entry["spec"])
    for index, entry in enumerate(data["authSpec"]):
        nested(f"/authSpec/{index}/spec", entry["spec"])
    nested("/targetSpec/spec", data["targetSpec"]["spec"])
    for field_type in types.values():
        claim(
            field_type.name,
            field_type.pointer,
            field_type.name,
            f"the field at {field_type.pointer}",
        )


def _auth_variant(
    spec: LoadedSpec, index: int, entry: dict[str, Any], types: dict[str, FieldType]
) -> AuthVariant:
    schema = auth_schema(entry.get("type", ""), entry["spec"])
    key = snake(entry["name"])
    unit = _unit(
        spec,
        f"auth_{key}",
        pascal(f"{entry['name']} Params"),
        f"/authSpec/{index}/spec",
        schema,
        types,
    )
    return AuthVariant(
        entry["name"], f"base_connection_{key}", pascal(f"{entry['name']} Auth"), unit
    )


def _declares_workflows(schema: dict[str, Any]) -> bool:
    return any(
        (p.get("conditional") or {}).get("field") == WORKFLOW_FIELD
        for p in schema["properties"].values()
    )


def _target_schema(spec: LoadedSpec, workflow: str) -> dict[str, Any]:
    """The targetSpec for one workflow, with the params every documented request adds."""
    schema = _resolve_workflow(spec, spec.data["targetSpec"]["spec"], workflow)
    if not delivers_files(spec.data):
        return schema  # params of file exports only: a streaming target has no files
    declared = spec.data["targetSpec"]["spec"].get("properties") or {}
    if any(name in declared for name in FILE_FORMAT_PARAMS):
        for key, extra in TARGET_ADDITIONS.items():  # a spec's own declaration wins
            schema["properties"].setdefault(key, copy.deepcopy(extra))
    else:
        schema["properties"].setdefault("mode", copy.deepcopy(LEGACY_MODE))
    return schema


def _resolve_workflow(spec: LoadedSpec, schema: dict[str, Any], workflow: str) -> dict[str, Any]:
    """Drop properties whose ``conditional`` excludes ``workflow`` (and those conditional on a
    property it dropped: csvOptions goes with fileType); lift field conditionals.
    """
    resolved = copy.deepcopy(schema)
    properties: dict[str, Any] = resolved["properties"]
    dropped = set()
    for name in list(properties):
        conditional = properties[name].get("conditional")
        if conditional is not None and conditional["field"] == WORKFLOW_FIELD:
            del properties[name]["conditional"]
            if not in_workflow(conditional, workflow):
                del properties[name]
                dropped.add(name)
    rules = []
    for name in list(properties):
        conditional = properties[name].pop("conditional", None)
        if conditional is None:
            continue
        if conditional["field"] in dropped:
            del properties[name]  # a rule on a field this workflow has not: never allowed
            continue
        if (
            conditional["field"] not in properties
            and conditional["field"] not in schema["properties"]
        ):
            raise GeneratorError(
                spec.file,
                f"/targetSpec/spec/properties/{name}/conditional/field",
                f"conditional refers to unknown field {conditional['field']!r}",
            )
        rules.append(
            {
                "field": name,
                "when": conditional["field"],
                "operator": conditional["operator"],
                "value": conditional["value"],
            }
        )
    resolved["required"] = [n for n in resolved.get("required", []) if n in properties]
    if rules:
        resolved[CONDITIONALS_KEY] = [*resolved.get(CONDITIONALS_KEY, []), *rules]
    return resolved


def _unit(
    spec: LoadedSpec,
    module: str,
    class_name: str,
    pointer: str,
    schema: dict[str, Any],
    types: dict[str, FieldType],
) -> SchemaUnit:
    prepared = copy.deepcopy(schema)
    prepared.pop("$schema", None)
    prepared["title"] = class_name
    _close_objects(prepared)
    params = []
    required = set(prepared.get("required", []))
    taken = BUILDER_ARGUMENTS.get(module.split("_", 1)[0], frozenset())
    for wire, prop in prepared["properties"].items():
        if snake(wire) in taken:
            # The builder's own keyword (name, description, ...) would be given twice.
            raise GeneratorError(
                spec.file,
                child(pointer, "properties", wire),
                f"{wire!r} becomes the Python name {snake(wire)!r}, which the builder already uses",
            )
        field_type = _attach_field_types(
            spec, module, child(pointer, "properties", wire), wire, prop, types
        )
        params.append(_param(wire, prop, wire in required, field_type))
    return SchemaUnit(
        checked=_checked_classes(class_name, prepared),
        module=module,
        class_name=class_name,
        schema_json=json.dumps(prepared, ensure_ascii=False),  # spec order = field order,
        pointer=pointer,
        params=tuple(sorted(params, key=lambda p: (not p.required, p.py_name))),
    )


def _attach_field_types(
    spec: LoadedSpec,
    module: str,
    pointer: str,
    wire: str,
    prop: dict[str, Any],
    types: dict[str, FieldType],
) -> FieldType | None:
    """Point ``prop``, and every property of a nested object, at its field type if it needs one:
    a pattern inside a nested object runs on the same engine, with the same ECMA meaning.
    """
    for name, sub in (prop.get("properties") or {}).items():
        _attach_field_types(spec, module, child(pointer, "properties", name), name, sub, types)
    field_type = _field_type(spec, module, pointer, wire, prop, types)
    if field_type is not None:
        prop["customTypePath"] = (
            f"destgen_destinations.{spec.slug}.models.field_types.{field_type.name}"
        )
    return field_type


def _checked_classes(class_name: str, schema: dict[str, Any]) -> tuple[str, ...]:
    """The object classes with an optional field lacking a default (nullable in the model, so a JSON
    null must be refused in Python) or with a field conditional.
    """
    found = []
    required = set(schema.get("required", []))
    properties = schema.get("properties", {})
    if CONDITIONALS_KEY in schema or any(
        n not in required and "default" not in p for n, p in properties.items()
    ):
        found.append(class_name)
    for name, prop in properties.items():
        if prop.get("type") == "object":
            found += _checked_classes(pascal(name), prop)
    return tuple(sorted(found))


def _close_objects(schema: dict[str, Any]) -> None:
    # Keys that cannot change validation (UI hints, new metadata) never reach the model tool.
    for key in [k for k in schema if k not in SUPPORTED_KEYWORDS or k == "uiAttributes"]:
        if key not in (CONDITIONALS_KEY, "customTypePath"):
            del schema[key]
    # Unknown payload keys are rejected: a typo in a payload is a bug, not an extension.
    if schema.get("type") == "object":
        schema["additionalProperties"] = False
    for sub in (schema.get("properties") or {}).values():
        _close_objects(sub)


def _field_type(
    spec: LoadedSpec,
    module: str,
    pointer: str,
    wire: str,
    prop: dict[str, Any],
    types: dict[str, FieldType],
) -> FieldType | None:
    """Secrets, patterned and base64 text get a named Annotated type; the pattern moves into it,
    where runtime.schema.patterns runs it in linear time (pydantic's own pattern support would put
    look-around patterns on Python's backtracking engine).
    """
    secret = prop.get("format") == "password"
    base64 = prop.get("contentEncoding") == "base64"
    if not (secret or base64 or "pattern" in prop):
        return None
    field_type = FieldType(pascal(wire), secret, prop.pop("pattern", None), base64, pointer)
    prop.pop("format", None)
    prop.pop("contentEncoding", None)
    known = types.get(field_type.name)
    if known == field_type:
        return known  # the same rule under the same name: one type, first declared at known's
    if known is not None:
        field_type = FieldType(
            pascal(module) + field_type.name, secret, field_type.pattern, base64, pointer
        )
        if types.get(field_type.name, field_type) != field_type:
            raise GeneratorError(
                spec.file, pointer, f"the field type name {field_type.name!r} is taken twice"
            )
    types[field_type.name] = field_type
    return field_type


def _param(wire: str, prop: dict[str, Any], required: bool, field_type: FieldType | None) -> Param:
    default = prop.get("default")
    return Param(
        py_name=snake(wire),
        wire_name=wire,
        annotation=_annotation(wire, prop, field_type),
        required=required and default is None,
        default=None if default is None else source_literal(default),
        description=str(prop.get("description") or prop.get("title") or wire),
        secret=field_type is not None and field_type.secret,
    )


def _annotation(wire: str, prop: dict[str, Any], field_type: FieldType | None) -> str:
    if field_type is not None:
        return "str"
    values = prop.get("enum") or [o["const"] for o in prop.get("oneOf", [])]
    if values:
        return "Literal[" + ", ".join(source_literal(v) for v in values) + "]"
    return {
        "string": "str",
        "boolean": "bool",
        "integer": "int",
        "number": "float",
        "object": pascal(wire),
        "array": "list[Any]",
    }[prop.get("type", "string")]
