"""jsonschema's Draft 7 validator with the spec patterns on runtime/schema/patterns.py's engine.

Anything that validates against a spec's schema (a spec's own defaults at generation, payloads in
the emulator) uses it: never Python's backtracking engine on a pattern that could stall the caller.
It lives in the emulator, the lowest part that validates with jsonschema (the library needs only
pydantic and httpx); the tool's generator imports it from here.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import jsonschema
from destgen_runtime.schema.patterns import UnsafePattern, compile_pattern


def _linear_pattern(
    validator: Any, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[jsonschema.ValidationError]:
    if not validator.is_type(instance, "string"):
        return
    try:
        matched = compile_pattern(pattern).search(instance)
    except UnsafePattern as exc:
        yield jsonschema.ValidationError(f"the spec pattern is refused: {exc}")
        return
    if not matched:
        yield jsonschema.ValidationError("does not match the pattern")


SpecValidator = jsonschema.validators.extend(
    jsonschema.Draft7Validator, {"pattern": _linear_pattern}
)


# The newest tutorial, and the base connections Adobe's migration guide shows the service storing,
# write the encryption algorithm "PGP/GPG"; the encryption spec's enum says "PGPGPG". A value the
# service stores is one a client may send: where an enum holds the key, its synonym is accepted too.
ENUM_SYNONYMS = {"PGPGPG": "PGP/GPG"}


def with_synonyms(schema: Any) -> Any:
    """A copy of ``schema`` whose enums accept the documented synonyms of their values."""
    if isinstance(schema, list):
        return [with_synonyms(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    widened = {key: with_synonyms(value) for key, value in schema.items() if key != "enum"}
    if isinstance(schema.get("enum"), list):
        enum = list(schema["enum"])
        widened["enum"] = enum + [ENUM_SYNONYMS[v] for v in enum if v in ENUM_SYNONYMS]
    return copy.deepcopy(widened)


# SFTP examples send "port" in auth.params though the authSpec omits it; MIG shows it as integer 22.
AUTH_ADDITIONS: dict[str, dict[str, Any]] = {
    "SFTP": {
        "port": {"type": "integer", "minimum": 1, "maximum": 65535, "description": "SFTP port."}
    }
}


def auth_schema(auth_type: str, spec: dict[str, Any]) -> dict[str, Any]:
    """An auth spec's schema with the documented additions of its type (SFTP's ``port``)."""
    schema = copy.deepcopy(spec)
    for key, extra in AUTH_ADDITIONS.get(auth_type, {}).items():
        schema.setdefault("properties", {}).setdefault(key, copy.deepcopy(extra))
    return schema
