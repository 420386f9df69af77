"""Reads specs_cache/: the six connection specs and manifest.json, checked and hashed.

It checks the envelope and the JSON Schema constructs the generator supports; it builds nothing.
"""

from __future__ import annotations

import hashlib
import json
import keyword
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from destgen_runtime.schema import strict_json
from destgen_runtime.schema.conditionals import CONDITIONALS_KEY, OPERATORS
from destgen_runtime.schema.dialect import standardise
from destgen_runtime.schema.errors import SpecFormError
from destgen_runtime.schema.naming import RESERVED_SLUGS, snake
from destgen_runtime.schema.patterns import UnsafePattern, compile_pattern
from destgen_runtime.schema.spec_form import canonical_spec

from destgen.errors import GeneratorError, child
from destgen_emulator.service.spec_validator import SpecValidator

MANIFEST = "manifest.json"
SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
# The library's own names beside the slug packages (a ``registry/`` package would shadow
# registry.py), and the spec folder's manifest: a destination never takes one of them.
# Keywords the generator understands; anything else in a schema is an error, never silently dropped.
SUPPORTED_KEYWORDS = frozenset(
    {
        "$schema",
        "type",
        "title",
        "description",
        "properties",
        "required",
        "pattern",
        "enum",
        "const",
        "oneOf",
        "default",
        "format",
        "contentEncoding",
        "conditional",
        "uiAttributes",
        "additionalProperties",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "items",
        # destgen's own: the rules dialect.py reads from an if/then (checked like the rest).
        CONDITIONALS_KEY,
    }
)
# JSON Schema keywords that change what validates. Unsupported ones are errors; any other unknown
# key (a UI hint, new metadata) cannot change validation and is ignored with one warning line.
VALIDATION_KEYWORDS = frozenset(
    {
        "$ref",
        "allOf",
        "anyOf",
        "not",
        "if",
        "then",
        "else",
        "patternProperties",
        "dependencies",
        "propertyNames",
        "minItems",
        "maxItems",
        "uniqueItems",
        "contains",
        "multipleOf",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minProperties",
        "maxProperties",
        "additionalItems",
        "definitions",
        "$defs",
        "dependentRequired",
        "dependentSchemas",
        "unevaluatedProperties",
    }
)
SUPPORTED_TYPES = frozenset({"string", "object", "boolean", "integer", "number", "array"})
CONDITIONAL_OPERATORS = OPERATORS  # the evaluator's own list: what it evaluates, the loader accepts


@dataclass(frozen=True)
class LoadedSpec:
    """One destination's connection spec as read from disk, with the manifest's facts about it."""

    slug: str
    file: str
    sha256: str
    data: Mapping[str, Any]
    # None: unknown (a raw spec with no manifest entry); the dataflow builder then asks for it.
    audience_flow_spec_id: str | None
    fetched_at: str = ""
    # The dataset-export flow spec of the same destination, when the manifest names it.
    dataset_flow_spec_id: str | None = None
    ignored: tuple[str, ...] = ()  # "file#/pointer" of unknown keys that cannot change validation
    # Each reading of Adobe's dialect (runtime/schema/dialect.py), as file#/pointer: what.
    notes: tuple[str, ...] = ()
    # The whole manifest entry as canonical JSON: any edit to it (a flow spec id, a name) must
    # re-render the destination, so the generation fingerprint covers all of it.
    manifest_entry: str = ""


def load_specs(cache_dir: Path, only: frozenset[str] | None = None) -> list[LoadedSpec]:
    """Every destination listed in ``cache_dir/manifest.json``, sorted by slug."""
    manifest_path = cache_dir / MANIFEST
    specs = []
    for entry in read_manifest(cache_dir)["destinations"]:
        slug, flow_id = entry["slug"], entry.get("audience_flow_spec_id")
        if only is None or slug in only:
            loaded = _load_one(cache_dir / f"{slug}.json", slug, flow_id)
            specs.append(
                replace(
                    loaded,
                    fetched_at=str(entry.get("fetched_at") or ""),
                    dataset_flow_spec_id=entry.get("dataset_flow_spec_id"),
                    manifest_entry=json.dumps(entry, sort_keys=True, ensure_ascii=False),
                )
            )
    if only is not None and (missing := only - {s.slug for s in specs}):
        raise GeneratorError(
            str(manifest_path), "/destinations", f"unknown destination(s): {sorted(missing)}"
        )
    return sorted(specs, key=lambda s: s.slug)


def read_manifest(cache_dir: Path) -> dict[str, Any]:
    """``cache_dir/manifest.json`` with every entry checked: a slug that can be a package name
    and an audience flow spec id; anything else is a ``GeneratorError`` naming the entry.
    """
    manifest_path = cache_dir / MANIFEST
    manifest = read_json(manifest_path)
    entries = manifest.get("destinations") if isinstance(manifest, dict) else None
    if not isinstance(entries, list) or not entries:
        raise GeneratorError(str(manifest_path), "/destinations", "expected a non-empty array")
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        slug, _flow = _manifest_entry(manifest_path, child("/destinations", index), entry)
        if slug in seen:
            raise GeneratorError(
                str(manifest_path), child("/destinations", index, "slug"), f"{slug!r} twice"
            )
        seen.add(slug)
    return dict(manifest)


def _manifest_entry(path: Path, pointer: str, entry: Any) -> tuple[str, str | None]:
    if not isinstance(entry, dict):
        raise GeneratorError(str(path), pointer, "expected an object")
    slug, flow_id = entry.get("slug"), entry.get("audience_flow_spec_id")
    if not isinstance(slug, str) or not SLUG.match(slug):
        raise GeneratorError(str(path), child(pointer, "slug"), "expected a snake_case slug")
    if keyword.iskeyword(slug) or slug in RESERVED_SLUGS:
        # The slug becomes a package name beside runtime/: it must import and not replace ours.
        raise GeneratorError(str(path), child(pointer, "slug"), f"slug {slug!r} is reserved")
    # Absent or null: unknown (a spec fetched by id whose flow specs the service did not list).
    if flow_id is not None and (not isinstance(flow_id, str) or not flow_id):
        raise GeneratorError(
            str(path), child(pointer, "audience_flow_spec_id"), "expected a flow spec id or null"
        )
    dataset = entry.get("dataset_flow_spec_id")
    if "dataset_flow_spec_id" in entry and (
        not isinstance(dataset, str) or not dataset or dataset == flow_id
    ):
        # One flow spec is one workflow (its attributes._workflow): never both.
        raise GeneratorError(
            str(path),
            child(pointer, "dataset_flow_spec_id"),
            "expected a flow spec id other than the audience one",
        )
    return slug, flow_id


def read_json(path: Path) -> Any:
    """The JSON document at ``path``: strict (no NaN), with no NUL or lone surrogate anywhere;
    a GeneratorError naming the file otherwise.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise GeneratorError(str(path), "", f"cannot read: {exc.strerror or exc}") from None
    try:
        # NaN and Infinity are no JSON numbers: in an enum or a default they would become code.
        data = strict_json.loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise GeneratorError(str(path), "", f"not valid JSON: {exc}") from None
    _check_text(str(path), "", data)
    return data


# NUL and lone surrogates cannot be written to a source file or a terminal.
_UNUSABLE = re.compile("[\x00\ud800-\udfff]")


def _check_text(file: str, pointer: str, value: Any) -> None:
    """Refuse NUL characters and lone surrogates in any key or string of a spec document."""
    if isinstance(value, str):
        if _UNUSABLE.search(value):
            raise GeneratorError(file, pointer or "/", "NUL or a lone surrogate in a string")
    elif isinstance(value, dict):
        for key, item in value.items():
            if _UNUSABLE.search(key):
                raise GeneratorError(file, pointer or "/", "NUL or a lone surrogate in a key")
            _check_text(file, child(pointer, key), item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_text(file, child(pointer, index), item)


def _load_one(path: Path, slug: str, flow_id: str | None) -> LoadedSpec:
    raw = read_json(path)
    file = str(path)
    # A saved GET response ({"items": [spec]}) is accepted as well as the bare spec.
    if isinstance(raw, dict) and "items" in raw and "authSpec" not in raw:
        items = raw["items"]
        if not isinstance(items, list) or len(items) != 1:
            raise GeneratorError(file, "/items", "expected exactly one connection spec")
        raw = items[0]
    if not isinstance(raw, dict):
        raise GeneratorError(file, "", "expected a connection spec object")
    # Adobe's dialect read as JSON Schema for curated entries too (a long-tail spec fetched by id
    # has a manifest entry); the six use none of it, so their reading is the spec as written.
    read, notes = standardise(raw)
    data = normalise_encryption_key(file, read)
    ignored: list[str] = []
    check_envelope(file, data, ignored)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return LoadedSpec(
        slug,
        file,
        digest,
        data,
        flow_id,
        ignored=tuple(ignored),
        notes=tuple(f"{file}#{note}" for note in notes),
    )


def normalise_encryption_key(file: str, spec: dict[str, Any]) -> dict[str, Any]:
    """The API and older docs say ``encryptionSpecs``, the newest ``encryption``: accept both."""
    try:
        return canonical_spec(spec)
    except SpecFormError as exc:
        raise GeneratorError(file, "/encryption", str(exc)) from None


def check_envelope(file: str, spec: Mapping[str, Any], ignored: list[str] | None = None) -> None:
    """The members the generator reads must exist with the right shapes; every schema is checked.
    Raises the first problem; ``envelope_problems`` lists them all.
    """
    problems = envelope_problems(file, spec, ignored)
    if problems:
        raise problems[0]


def envelope_problems(
    file: str, spec: Mapping[str, Any], ignored: list[str] | None = None
) -> list[GeneratorError]:
    """Every problem of the spec (each a ``file#/pointer: reason``), in document order: a user
    fixing a spec sees all of them at once.
    """
    problems: list[GeneratorError] = []
    for key in ("id", "name", "version"):
        if not isinstance(spec.get(key), str) or not spec[key]:
            problems.append(GeneratorError(file, f"/{key}", "missing or not a non-empty string"))
    for key in ("authSpec", "targetSpec"):
        if key not in spec:
            problems.append(GeneratorError(file, f"/{key}", "missing"))
    for list_key in ("authSpec", "encryptionSpecs"):
        entries = spec.get(list_key, [])
        if not isinstance(entries, list):
            problems.append(GeneratorError(file, f"/{list_key}", "expected an array"))
            continue
        names: set[str] = set()
        for index, entry in enumerate(entries):
            pointer = child(f"/{list_key}", index)
            try:
                if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                    raise GeneratorError(
                        file, child(pointer, "name"), "expected an entry with a name"
                    )
                _check_entry_name(file, child(pointer, "name"), entry["name"])
                if entry["name"] in names:
                    raise GeneratorError(
                        file, child(pointer, "name"), f"duplicate name {entry['name']!r}"
                    )
                names.add(entry["name"])
            except GeneratorError as exc:
                problems.append(exc)
                continue
            check_schema(
                file,
                child(pointer, "spec"),
                entry.get("spec"),
                ignored,
                object_root=True,
                problems=problems,
            )
    target = spec.get("targetSpec")
    if "targetSpec" in spec and not isinstance(target, dict):
        problems.append(GeneratorError(file, "/targetSpec", "expected an object"))
    elif isinstance(target, dict):
        check_schema(
            file,
            "/targetSpec/spec",
            target.get("spec"),
            ignored,
            object_root=True,
            problems=problems,
        )
    return problems


def check_schema(
    file: str,
    pointer: str,
    schema: Any,
    ignored: list[str] | None = None,
    *,
    object_root: bool = False,
    problems: list[GeneratorError] | None = None,
) -> None:
    """Raise on any construct the generator would not translate faithfully; with ``problems``,
    add each one there instead and go on (one per keyword or subschema).
    """
    found: list[GeneratorError] = [] if problems is None else problems
    try:
        _check_one_schema(file, pointer, schema, ignored, object_root=object_root, found=found)
    except GeneratorError as exc:
        found.append(exc)
    if problems is None and found:
        raise found[0]


def _check_one_schema(
    file: str,
    pointer: str,
    schema: Any,
    ignored: list[str] | None,
    *,
    object_root: bool,
    found: list[GeneratorError],
) -> None:
    if not isinstance(schema, dict):
        raise GeneratorError(file, pointer, "expected a JSON Schema object")
    if object_root and (
        schema.get("type") != "object" or not isinstance(schema.get("properties"), dict)
    ):
        raise GeneratorError(file, pointer, "expected an object schema with properties")
    for key, value in schema.items():
        if key not in SUPPORTED_KEYWORDS and key not in VALIDATION_KEYWORDS:
            if ignored is not None:
                ignored.append(f"{file}#{child(pointer, key)}")
            continue
        try:
            if key not in SUPPORTED_KEYWORDS:
                raise GeneratorError(
                    file, child(pointer, key), f"unsupported JSON Schema keyword {key!r}"
                )
            _check_keyword(file, child(pointer, key), key, value, schema)
        except GeneratorError as exc:
            found.append(exc)
    try:
        if "default" in schema:
            _check_default(file, child(pointer, "default"), schema)
        _check_python_names(file, pointer, schema)
    except GeneratorError as exc:
        found.append(exc)
    for name, sub in _subschemas(schema):
        if not object_root and isinstance(sub, dict) and "conditional" in sub:
            # Only the top level's conditionals are evaluated; deeper ones would be dropped.
            found.append(
                GeneratorError(
                    file, child(pointer, *name, "conditional"), "a conditional below the top level"
                )
            )
            continue
        check_schema(file, child(pointer, *name), sub, ignored, problems=found)


# Keys that describe a schema or belong to Adobe's dialect; the default must satisfy the rest.
_NOT_CONSTRAINTS = frozenset(
    {"default", "conditional", "uiAttributes", "format", "contentEncoding", "$schema"}
)


def _check_default(file: str, pointer: str, schema: Mapping[str, Any]) -> None:
    """A default is sent when the caller gives nothing: it must be a value the schema accepts."""
    default = schema["default"]
    if schema.get("format") == "password":
        # Generated code would carry it in clear: a credential shared by every user of the library.
        raise GeneratorError(file, pointer, "a secret (format: password) cannot have a default")
    if "enum" in schema and default not in schema["enum"]:
        raise GeneratorError(file, pointer, "the default is not one of the enum")
    rules = {k: v for k, v in schema.items() if k not in _NOT_CONSTRAINTS}
    problem = next(iter(SpecValidator(rules).iter_errors(default)), None)
    if problem is not None:
        # The keyword, not the value: a default can be as private as the field it fills.
        raise GeneratorError(
            file, pointer, f"the default does not satisfy its own schema ({problem.validator})"
        )


def _check_python_names(file: str, pointer: str, schema: Mapping[str, Any]) -> None:
    """Two properties whose Python names collide would silently become one field."""
    seen: dict[str, str] = {}
    for name in schema.get("properties") or {}:
        python = snake(name)
        if python in seen:
            raise GeneratorError(
                file,
                child(pointer, "properties", name),
                f"{name!r} and {seen[python]!r} both become the Python name {python!r}",
            )
        seen[python] = name


# An auth or encryption spec name becomes a module, class and function name: it must be readable
# and short enough for every file system (a file name is at most 255 bytes).
MAX_ENTRY_NAME = 100
# An enum becomes a Literal type: beyond this many values generation would not finish in time,
# and no destination's form offers a choice that long.
MAX_ENUM_VALUES = 1000
# Length and count limits become pydantic constraints: whole numbers a C integer can hold.
COUNT_KEYWORDS = ("minLength", "maxLength", "minItems", "maxItems")
MAX_COUNT = 2**31 - 1
# Bounds become Python literals: finite numbers within what a float holds exactly as an integer.
BOUND_KEYWORDS = ("minimum", "maximum")
MAX_BOUND = 2**53


def _check_entry_name(file: str, pointer: str, name: str) -> None:
    if not name.strip() or len(name) > MAX_ENTRY_NAME:
        raise GeneratorError(
            file, pointer, f"a name must have 1 to {MAX_ENTRY_NAME} characters, not {len(name)}"
        )
    invisible = [c for c in name if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")]
    if invisible:
        # U+FEFF and friends: two names that print alike would be two different APIs.
        raise GeneratorError(
            file, pointer, f"invisible character U+{ord(invisible[0]):04X} in the name"
        )


def _check_bounds(file: str, pointer: str, key: str, value: Any) -> None:
    if key in COUNT_KEYWORDS and (
        not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_COUNT
    ):
        raise GeneratorError(file, pointer, f"expected a whole number from 0 to {MAX_COUNT}")
    if key in BOUND_KEYWORDS and (
        not isinstance(value, int | float)
        or isinstance(value, bool)
        or not -MAX_BOUND <= value <= MAX_BOUND
    ):
        raise GeneratorError(file, pointer, "expected a number from -2**53 to 2**53")
    if key == "enum" and (not isinstance(value, list) or len(value) > MAX_ENUM_VALUES):
        raise GeneratorError(file, pointer, f"expected a list of at most {MAX_ENUM_VALUES} values")


def _check_keyword(
    file: str, pointer: str, key: str, value: Any, schema: Mapping[str, Any]
) -> None:
    _check_bounds(file, pointer, key, value)
    check = KEYWORD_CHECKS.get(key)
    if check is not None:
        check(file, pointer, value, schema)


def _check_type(file: str, pointer: str, value: Any, _schema: Mapping[str, Any]) -> None:
    if value not in SUPPORTED_TYPES:
        raise GeneratorError(file, pointer, f"unsupported type {value!r}")


def _check_pattern(file: str, pointer: str, value: Any, _schema: Mapping[str, Any]) -> None:
    if not isinstance(value, str):
        raise GeneratorError(file, pointer, "a pattern must be a string")
    try:
        compile_pattern(value)  # the same engine choice and check the models will make
    except UnsafePattern as exc:
        raise GeneratorError(file, pointer, str(exc)) from None


def _check_required(file: str, pointer: str, value: Any, schema: Mapping[str, Any]) -> None:
    declared = schema.get("properties", {})
    if not isinstance(value, list) or any(name not in declared for name in value):
        raise GeneratorError(file, pointer, "required must list declared properties")


def _check_one_of(file: str, pointer: str, value: Any, _schema: Mapping[str, Any]) -> None:
    if not all(isinstance(o, dict) and "const" in o for o in value):
        raise GeneratorError(file, pointer, "only oneOf of const values is supported")


def _check_additional(file: str, pointer: str, value: Any, _schema: Mapping[str, Any]) -> None:
    if not isinstance(value, bool):
        raise GeneratorError(file, pointer, "only a boolean additionalProperties is supported")


def _check_conditional(file: str, pointer: str, value: Any, _schema: Mapping[str, Any]) -> None:
    if not isinstance(value, dict) or {"field", "operator", "value"} - value.keys():
        raise GeneratorError(file, pointer, "conditional needs field, operator and value")
    if value["operator"] not in CONDITIONAL_OPERATORS:
        raise GeneratorError(
            file, child(pointer, "operator"), f"unknown operator {value['operator']!r}"
        )


def _check_rules(file: str, pointer: str, rules: Any, schema: Mapping[str, Any]) -> None:
    """Rules only the dialect reader writes: each names declared fields, a known operator, and a
    value the models can compare; a spec cannot smuggle in a rule that would fail at run time.
    """
    declared = schema.get("properties") or {}
    if not isinstance(rules, list):
        raise GeneratorError(file, pointer, "expected a list of rules")
    for index, rule in enumerate(rules):
        where = child(pointer, index)
        if (
            not isinstance(rule, dict)
            or set(rule) - {"field", "when", "operator", "value", "required"}
            or rule.get("field") not in declared
            or rule.get("when") not in declared
            or rule.get("operator") not in CONDITIONAL_OPERATORS
            or not isinstance(rule.get("value"), str | int | bool)
            or not isinstance(rule.get("required", False), bool)
        ):
            raise GeneratorError(file, where, "not a rule destgen wrote")


# The check of each keyword that has one beyond its bounds (one entry per keyword).
KEYWORD_CHECKS: dict[str, Callable[[str, str, Any, Mapping[str, Any]], None]] = {
    "type": _check_type,
    "pattern": _check_pattern,
    "required": _check_required,
    "oneOf": _check_one_of,
    "additionalProperties": _check_additional,
    CONDITIONALS_KEY: _check_rules,
    "conditional": _check_conditional,
}


def _subschemas(schema: Mapping[str, Any]) -> Iterator[tuple[tuple[str, ...], Any]]:
    for name, sub in (schema.get("properties") or {}).items():
        yield ("properties", name), sub
    if "items" in schema:
        yield ("items",), schema["items"]
