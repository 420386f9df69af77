"""The reference JSON Schemas a spec's generated models must agree with, derived from the raw spec
independently of build_ir.py.

They follow the documented decisions: audience workflow, closed objects, csvOptions only with CSV,
base64 as a pattern, a required field with a default filled in rather than demanded. The
differential test and the spec-mutation fuzz test both judge the models against them.
"""

from __future__ import annotations

import copy
from typing import Any

from destgen_runtime.schema.conditionals import in_workflow

BASE64 = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
# Fields a current file-based target model has beyond its spec (DESIGN: what every current
# example sends), for specs that declare a file format; an older spec only a free legacy mode.
EXTRA_TARGET = {
    "mode": {"type": "string", "enum": ["Server-to-server"]},
    "includeFileManifest": {"type": "boolean"},
}
LEGACY_TARGET = {"mode": {"type": "string"}}
FILE_FORMAT_PARAMS = ("fileType", "datasetFileType")
SFTP_PORT = {"type": "integer", "minimum": 1, "maximum": 65535}


def closed(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` as plain Draft 7: closed objects, spec-only keywords dropped."""
    schema = copy.deepcopy(schema)
    for key in ("conditional", "uiAttributes", "format", "$schema"):
        schema.pop(key, None)
    if schema.pop("contentEncoding", None) == "base64":
        schema["allOf"] = [{"pattern": BASE64}, {"minLength": 1}]
    if "items" in schema:
        schema["items"] = closed(schema["items"])
    if schema.get("type") == "object":
        schema["additionalProperties"] = False
        schema["properties"] = {k: closed(v) for k, v in schema.get("properties", {}).items()}
        # Decision (DESIGN trap 3): a required field with a default is filled in, not demanded;
        # an empty default ("") is no default (docs/decisions.md, issue 28): still demanded.
        schema["required"] = [
            n
            for n in schema.get("required", [])
            if schema["properties"][n].get("default", "") == ""
        ]
    return schema


def auth_schema(entry: dict[str, Any]) -> dict[str, Any]:
    """The reference schema of one authSpec entry."""
    schema = closed(entry["spec"])
    if entry.get("type") == "SFTP":  # the spec's own port, if it declares one, wins
        schema["properties"].setdefault("port", dict(SFTP_PORT))
    return schema


def target_schema(spec: dict[str, Any], workflow: str = "AUDIENCES") -> dict[str, Any]:
    """The reference schema of one workflow's target params (audiences unless told)."""
    target = copy.deepcopy(spec["targetSpec"]["spec"])
    props = target["properties"]
    dropped = [n for n, p in props.items() if not in_workflow(p.get("conditional"), workflow)]
    for name in dropped:
        del props[name]
    # A field conditional on a field the workflow dropped is never allowed (csvOptions in the
    # dataset workflow has no fileType to be CSV).
    for name in [
        n for n, p in props.items() if (p.get("conditional") or {}).get("field") in dropped
    ]:
        del props[name]
    target["required"] = [n for n in target.get("required", []) if n in props]
    current = any(n in spec["targetSpec"]["spec"].get("properties", {}) for n in FILE_FORMAT_PARAMS)
    target = closed(target)
    for name, extra in (EXTRA_TARGET if current else LEGACY_TARGET).items():  # the spec's wins
        target["properties"].setdefault(name, extra)
    # A field conditional on a sibling (csvOptions when fileType EQUALS CSV) is refused otherwise.
    operators = {
        r["operator"] for p in props.values() if (r := p.get("conditional")) and r["field"] in props
    }
    assert operators <= {"EQUALS"}, f"the reference knows EQUALS only, not {operators}"
    target["allOf"] = [
        {
            "if": {
                "not": {
                    "required": [rule["field"]],
                    "properties": {rule["field"]: {"const": rule["value"]}},
                }
            },
            "then": {"not": {"required": [name]}},
        }
        for name, prop in props.items()
        if (rule := prop.get("conditional")) and rule["field"] in props
    ]
    if workflow == "DATASETS":
        # The dataset export page's rule, outside every spec: JSON only with GZIP.
        target["allOf"].append(
            {
                "if": {
                    "required": ["datasetFileType"],
                    "properties": {"datasetFileType": {"const": "JSON"}},
                },
                "then": {
                    "required": ["compression"],
                    "properties": {"compression": {"const": "GZIP"}},
                },
            }
        )
    return target


def reference_schemas(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every params schema of ``spec``: ``auth:NAME``, ``encryption``, ``target`` and
    ``dataset-target``.
    """
    out = [(f"auth:{entry['name']}", auth_schema(entry)) for entry in spec["authSpec"]]
    out += [("encryption", closed(entry["spec"])) for entry in spec.get("encryptionSpecs", [])]
    out.append(("target", target_schema(spec)))
    out.append(("dataset-target", target_schema(spec, "DATASETS")))
    return out


def read_dialect(spec: dict[str, Any]) -> dict[str, Any]:
    """A raw spec with Adobe's dialect read as docs/decisions.md says, written apart from
    generator/destgen/dialect.py so the two can disagree: ``isRequired`` and a ``required`` list
    among ``properties`` join the object's ``required``; an empty secret default is dropped.
    An ``if``/``then`` stays: jsonschema evaluates it natively.
    """
    spec = copy.deepcopy(spec)
    spec.setdefault("authSpec", [])

    def read(schema: Any) -> None:
        if not isinstance(schema, dict) or not isinstance(schema.get("properties"), dict):
            return
        props = schema["properties"]
        required = list(schema.get("required", []))
        if isinstance(props.get("required"), list):
            required += props.pop("required")
        for name, prop in props.items():
            if prop.pop("isRequired", False):
                required.append(name)
            if prop.get("format") == "password" and prop.get("default") == "":
                del prop["default"]
            read(prop)
        if required:
            schema["required"] = sorted(set(required))
        tested = (schema.get("if") or {}).get("properties") or {}
        for name in tested:
            if "default" in props.get(name, {}):
                # The default fills an absent field (the decision above), so an absent field is
                # its default, never the tested value: the if holds only when it is given.
                schema["if"]["required"] = sorted({*schema["if"].get("required", []), name})

    for entry in [*spec["authSpec"], *spec.get("encryptionSpecs", []), spec["targetSpec"]]:
        read(entry["spec"])
    return spec


def corpus_reference_schemas(
    spec: dict[str, Any], *, delivers_files: bool, dataset: bool
) -> list[tuple[str, dict[str, Any]]]:
    """``reference_schemas`` of a raw spec: the dialect read, the file-only target params only
    for file-based destinations, the dataset workflow only where the spec declares it.
    """
    found = reference_schemas(read_dialect(spec))
    found = [(which, schema) for which, schema in found if which != "dataset-target" or dataset]
    if not delivers_files:
        for which, schema in found:
            if which == "target":
                for name in {**EXTRA_TARGET, **LEGACY_TARGET}:
                    if name not in spec["targetSpec"]["spec"].get("properties", {}):
                        schema["properties"].pop(name, None)
    return found
