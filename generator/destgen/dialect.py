"""Adobe's dialect of JSON Schema, read as standard JSON Schema before any check: what real
connection specs write that means something the generator already models.

Each rewrite says what it did (a note the command prints), so nothing changes silently:

- ``isRequired: true`` on a property (Braze, Airship) is the property being required;
- ``required`` listed among ``properties`` as an array of names (Adobe Campaign, Salesforce
  Marketing Cloud) is the object's ``required``, misplaced;
- an empty ``default`` on a secret field (legacy S3 and Azure Blob specs) is no default: a
  secret default would be shipped in clear to every user, and an empty one says nothing;
- ``if: {properties: {F: {const: V}}}`` with ``then`` requiring fields (an encryption spec whose
  PGP choice requires ``publicKey``) is a field-required conditional, enforced by the models as
  the spec's own conditionals are.

Anything else stays as written and meets the checks in specs.py, which refuse it with a pointer.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from destgen.errors import child
from destgen_destinations.runtime.schema.conditionals import CONDITIONALS_KEY

# The spec sections that hold JSON Schemas, with the pointer of each schema.
SCHEMA_SECTIONS = ("authSpec", "encryptionSpecs", "encryption")


def standardise(spec: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A copy of ``spec`` in standard JSON Schema (plus destgen's conditionals), and one note per
    rewrite, each ``/pointer: what was read how``.
    """
    result = copy.deepcopy(spec)
    notes: list[str] = []
    for pointer, schema in _schemas(result):
        _standardise_object(pointer, schema, notes)
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


def _standardise_object(pointer: str, schema: dict[str, Any], notes: list[str]) -> None:
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return
    required = schema.get("required")
    names = list(required) if isinstance(required, list) else []
    misplaced = properties.get("required")
    if isinstance(misplaced, list) and all(isinstance(n, str) for n in misplaced):
        del properties["required"]
        names += [n for n in misplaced if n not in names]
        notes.append(
            f"{child(pointer, 'properties', 'required')}: read as the object's required list"
        )
    for name, prop in properties.items():
        if not isinstance(prop, dict):
            continue
        where = child(pointer, "properties", name)
        if "isRequired" in prop and isinstance(prop["isRequired"], bool):
            if prop.pop("isRequired") and name not in names:
                names.append(name)
            notes.append(f"{where}/isRequired: read as required")
        if prop.get("format") == "password" and prop.get("default") == "":
            del prop["default"]
            notes.append(f"{where}/default: an empty default on a secret, dropped")
        _standardise_object(where, prop, notes)
    if names or "required" in schema:
        schema["required"] = names
    rules = _required_when(schema)
    if rules is not None:
        for key in ("if", "then"):
            del schema[key]
        schema[CONDITIONALS_KEY] = [*schema.get(CONDITIONALS_KEY, []), *rules]
        notes.append(f"{pointer}/if: read as {len(rules)} field(s) required when the if holds")


def _required_when(schema: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The rules of an ``if``/``then`` that makes fields required when one field has one value,
    or None when the pair says anything else (left for the checks to refuse).
    """
    condition, then = schema.get("if"), schema.get("then")
    if "else" in schema or not isinstance(condition, dict) or not isinstance(then, dict):
        return None
    if set(condition) - {"properties", "required"}:
        return None
    tested = condition.get("properties")
    if not isinstance(tested, dict) or len(tested) != 1:
        return None
    ((field, test),) = tested.items()
    value = _single_value(test)
    declared = schema.get("properties") or {}
    if field not in declared or value is None:
        return None
    # JSON Schema's if holds when the field is absent; the models' EQUALS does not. The two agree
    # only where the field cannot be absent: required by the object or by the if itself.
    if field not in (schema.get("required") or []) and field not in (
        condition.get("required") or []
    ):
        return None
    parts = then.get("allOf", [then]) if set(then) == {"allOf"} else [then]
    fields: list[str] = []
    for part in parts if isinstance(parts, list) else []:
        if not isinstance(part, dict) or set(part) != {"required"}:
            return None
        listed = part["required"]
        if not isinstance(listed, list) or not all(n in declared for n in listed):
            return None
        fields += [n for n in listed if n not in fields]
    return [
        {"field": name, "when": field, "operator": "EQUALS", "value": value[0], "required": True}
        for name in fields
    ] or None


def _single_value(test: Any) -> tuple[Any] | None:
    """``(V,)`` for ``{const: V}`` or ``{enum: [V]}``, else None."""
    if not isinstance(test, dict):
        return None
    if set(test) == {"const"}:
        return (test["const"],)
    if set(test) == {"enum"} and isinstance(test["enum"], list) and len(test["enum"]) == 1:
        return (test["enum"][0],)
    return None
