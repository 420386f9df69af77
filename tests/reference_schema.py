"""The reference JSON Schemas a spec's generated models must agree with, derived from the raw spec
independently of build_ir.py.

They follow the documented decisions: audience workflow, closed objects, csvOptions only with CSV,
base64 as a pattern, a required field with a default filled in rather than demanded. The
differential test and the spec-mutation fuzz test both judge the models against them.
"""

from __future__ import annotations

import copy
from typing import Any

from destgen_destinations.runtime.schema.conditionals import in_workflow

BASE64 = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
# Fields every target model has beyond its spec (DESIGN: what every current example sends).
EXTRA_TARGET = {
    "mode": {"type": "string", "enum": ["Server-to-server"]},
    "includeFileManifest": {"type": "boolean"},
}
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
        # Decision (DESIGN trap 3): a required field with a default is filled in, not demanded.
        schema["required"] = [
            n for n in schema.get("required", []) if "default" not in schema["properties"][n]
        ]
    return schema


def auth_schema(entry: dict[str, Any]) -> dict[str, Any]:
    """The reference schema of one authSpec entry."""
    schema = closed(entry["spec"])
    if entry["type"] == "SFTP":  # the spec's own port, if it declares one, wins
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
    target = closed(target)
    for name, extra in EXTRA_TARGET.items():  # the spec's own declaration, if any, wins
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
