"""Spec mutations never give broken code: ``generate`` either writes a library that imports and
validates exactly as the raw schema says (its models and ``is_valid`` alike), or stops with
``file#/pointer: reason``, exit 2, nothing written.

Hypothesis mutates one destination's connection spec (the SFTP one: two auth specs, an encryption
spec and a conditional target): hazardous property names (Python keywords and builtins, pydantic
and builder names, names that are not identifiers), auth spec names that are the generator's own
class names, enums, defaults in and outside their enum or of the wrong type, NaN, patterns (safe,
ECMA-only, look-around and catastrophic), nested objects, arrays and nested conditionals. Each
mutated spec is generated in process into a fresh folder. When it generates, the new package is
imported beside the real one and judged by jsonschema on the reference schema of
tests/reference_schema.py, on values drawn for every new field (valid and invalid ones, jsonschema
decides which is which), through the models and through the builders.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import importlib
import inspect
import itertools
import json
import math
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import pytest
from destgen_runtime.schema.validity import is_valid
from destgen_runtime.schema.wire import to_wire
from hypothesis import event, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

import destgen_destinations
from destgen.format import black_format
from destgen.layout import LIBRARY_PACKAGE
from destgen_emulator.service.spec_validator import SpecValidator
from tests import reference_schema as reference
from tests.conftest import ROOT, run_cli
from tests.fuzz_depth import fuzz_examples

BASE_SPEC = json.loads((ROOT / "specs_cache" / "sftp.json").read_text())
MANIFEST_ENTRY = next(
    entry
    for entry in json.loads((ROOT / "specs_cache" / "manifest.json").read_text())["destinations"]
    if entry["slug"] == "sftp"
)
# A target instance the unmutated spec accepts; new fields are tried on top of it.
BASE_TARGET = {"remotePath": "/exports", "fileType": "JSON", "compression": "GZIP"}
BASE_AUTH = {"domain": "sftp.example.com", "username": "exporter", "password": "s3cret-pass"}

# Names that have broken generated code before, or could: Python keywords and constants, builtins
# and typing names the modules use, pydantic's reserved names, the builders' own arguments and the
# helpers their bodies call, names that are no identifier at all, and names that only differ after
# snake-casing from a property the spec already has.
HAZARD_NAMES = [
    "True",
    "None",
    "none",
    "class",
    "from",
    "self",
    "literal",
    "Literal",
    "field",
    "Field",
    "dataflow",
    "name",
    "description",
    "baseConnectionId",
    "specName",
    "params",
    "compact",
    "model_config",
    "model_fields",
    "schema",
    "json",
    "copy",
    "str",
    "int",
    "Annotated",
    "ConfigDict",
    "mode",
    "encryption",
    "__init__",
    "_private",
    "9lives",
    "a-b",
    "a b",
    "über",
    "ü",
    "remote_path",
    "RemotePath",
    "fileType",
    "csvOptions",
    "targetParams",
    "TargetParams",
    "value",
]
# Auth spec names that are, or pascal-case into, the generator's own class and function names.
HAZARD_AUTH_NAMES = [
    "Target",
    "Encryption",
    "Params",
    "Auth",
    "Csv Options",
    "Base Connection",
    "Target Connection",
    "Dataflow",
    "None",
    "class",
    "SFTP with SSH Key ",
    "",
]
SAFE_PATTERNS = [
    "^[a-z]+$",
    "^[0-9]{2,4}$",
    r"^\d+$",
    r"^\w+$",
    "^(?!goog)[a-z]{3,8}$",
    "^[A-Za-z0-9+/]*={0,2}$",
    "a|b",
    "^$",
]
RISKY_PATTERNS = ["^(a+)+$", "(a|a)*$", r"^(\w+\s?)*$", "(["]
STRING_SAMPLES = ["", "a", "abc", "ABC", "12", "1234", "goog", "googx", "a b", "GZIP", "x" * 12]

names = st.sampled_from(HAZARD_NAMES) | st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_]{0,8}\Z")


@st.composite
def property_schema(draw: st.DrawFn, depth: int = 0) -> tuple[dict[str, Any], list[Any]]:
    """A property's schema and the values to try for it (valid and invalid alike)."""
    kinds = ["string", "enum", "pattern", "risky", "integer", "number", "boolean", "secret"]
    kinds += ["array", "object", "conditional"] if depth == 0 else []
    kind = draw(st.sampled_from(kinds))
    samples: list[Any] = [None, 7, True, "x", {"k": 1}, [1]]
    schema: dict[str, Any]
    if kind == "string":
        schema = {"type": "string"}
        if draw(st.booleans()):
            schema |= {"minLength": 1, "maxLength": draw(st.integers(1, 5))}
        samples += STRING_SAMPLES
    elif kind == "enum":
        values = draw(
            st.lists(
                st.sampled_from(["", "A", "a b", "True", "None", '"', "\\", "x'y", "é", "CSV"])
                | st.text(max_size=4),
                min_size=1,
                max_size=4,
                unique=True,
            )
        )
        schema = {"type": "string", "enum": values}
        samples += [*values, "not-in-enum"]
    elif kind in ("pattern", "risky"):
        pool = SAFE_PATTERNS if kind == "pattern" else RISKY_PATTERNS
        schema = {"type": "string", "pattern": draw(st.sampled_from(pool))}
        samples += STRING_SAMPLES
    elif kind == "integer":
        low = draw(st.integers(-3, 3))
        schema = {"type": "integer", "minimum": low, "maximum": low + draw(st.integers(0, 5))}
        samples += [low, low - 1, low + 6, 1.5, "1"]
    elif kind == "number":
        schema = {"type": "number"}
        samples += [1.5, 0, -2.25, "1.5"]
    elif kind == "boolean":
        schema = {"type": "boolean"}
        samples += [False, 0, "true"]
    elif kind == "secret":
        schema = {"type": "string", "format": "password"}
        samples += ["s3cret-value", ""]
    elif kind == "array":
        schema = {"type": "array", "items": {"type": "string"}}
        samples += [[], ["a"], ["a", 1]]
    else:
        inner_name = draw(names)
        inner, inner_samples = draw(property_schema(depth=1))
        if kind == "conditional":
            inner["conditional"] = {"field": "fileType", "operator": "EQUALS", "value": "CSV"}
        schema = {"type": "object", "properties": {inner_name: inner}, "required": [inner_name]}
        samples += [{}, {"other": 1}] + [{inner_name: v} for v in inner_samples[:6]]
    # A default the schema accepts, when it has one: a spec with a broken default is drawn by
    # mutation() as a hazard of its own, since each refusal ends an example before the judging.
    valid = [v for v in samples if _accepts_own(schema, v)]
    with_default: bool = bool(valid) and draw(st.booleans())
    if with_default:
        schema["default"] = draw(st.sampled_from(valid))
    return schema, samples


def _accepts_own(schema: dict[str, Any], value: Any) -> bool:
    # The linear pattern engine: a catastrophic pattern must not stall the drawing either; a
    # pattern no engine compiles leaves the property without a default.
    return not any(SpecValidator(reference.closed(schema)).iter_errors(value))


BAD_DEFAULTS: list[Any] = [math.nan, None, "outside-the-enum", 7, {"k": 1}]


@st.composite
def mutation(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """A mutated SFTP spec and, per new target property, the values to try."""
    spec = copy.deepcopy(BASE_SPEC)
    if draw(st.booleans()):
        spec["authSpec"][0]["name"] = draw(st.sampled_from(HAZARD_AUTH_NAMES))
    target = spec["targetSpec"]["spec"]
    tried: dict[str, list[Any]] = {}
    for _ in range(draw(st.integers(1, 3))):
        name = draw(names)
        schema, samples = draw(property_schema())
        target["properties"][name] = schema
        if draw(st.booleans()) and name not in target["required"]:
            target["required"].append(name)
        tried[name] = samples
    # One example in five: a default its own schema refuses (4, not 0: Hypothesis leans to 0).
    if draw(st.integers(0, 4)) == 4:
        name = draw(names)
        schema = {
            "type": "string",
            "enum": ["a", "b"],
            "default": draw(st.sampled_from(BAD_DEFAULTS)),
        }
        target["properties"][name] = schema
        tried[name] = ["a", "c"]
    return spec, tried


SLUGS = (f"fuzz_{n}" for n in itertools.count())


def _generate(
    spec: dict[str, Any], folder: Path, slug: str, *, check: bool = False
) -> tuple[int, str]:
    specs = folder / "specs"
    specs.mkdir(parents=True)
    # allow_nan: the mutation may put NaN in; the loader, not this writer, has to refuse it.
    (specs / f"{slug}.json").write_text(json.dumps(spec, allow_nan=True))
    manifest = {"destinations": [MANIFEST_ENTRY | {"slug": slug}]}
    (specs / "manifest.json").write_text(json.dumps(manifest))
    mode = ["--check"] if check else []
    done = run_cli(
        "generate", *mode, "--quiet", "--specs", str(specs), "--out", str(folder / "out")
    )
    return done.returncode, done.stderr


def _refused(folder: Path, slug: str, stderr: str) -> None:
    assert f"{slug}.json#/" in stderr, stderr
    assert "Traceback" not in stderr
    assert not (folder / "out").exists()


@contextlib.contextmanager
def _imported(out: Path, slug: str) -> Iterator[ModuleType]:
    """The generated destination package, imported beside the real ones and forgotten after."""
    package_dir = str(out / LIBRARY_PACKAGE)
    destgen_destinations.__path__.append(package_dir)
    importlib.invalidate_caches()
    try:
        yield importlib.import_module(f"{LIBRARY_PACKAGE}.{slug}")
    finally:
        destgen_destinations.__path__.remove(package_dir)
        for module in [m for m in sys.modules if m.startswith(f"{LIBRARY_PACKAGE}.{slug}")]:
            del sys.modules[module]


def _accepts(model: type[BaseModel], instance: Any) -> BaseModel | None:
    try:
        return model.model_validate(instance, by_alias=True, by_name=False)
    except ValidationError:
        return None


def _sent_as_given(given: Any, sent: Any) -> bool:
    """Every key of ``given`` is in ``sent`` with the same value, at every depth; ``sent`` may
    hold more (the defaults the model added).
    """
    if isinstance(given, dict):
        return isinstance(sent, dict) and all(
            key in sent and _sent_as_given(value, sent[key]) for key, value in given.items()
        )
    return bool(given == sent)


def _check_target(package: ModuleType, spec: dict[str, Any], tried: dict[str, list[Any]]) -> None:
    model = package.models.TargetParams
    validator = jsonschema.Draft7Validator(reference.target_schema(spec))
    instances = [dict(BASE_TARGET)]
    for name, samples in tried.items():
        instances.append({k: v for k, v in BASE_TARGET.items() if k != name})
        instances += [BASE_TARGET | {name: sample} for sample in samples]
    for instance in instances:
        expected = validator.is_valid(instance)
        made = _accepts(model, instance)
        assert (made is not None) == expected, (instance, expected)
        assert is_valid(model, instance) is expected, (instance, expected)
        if made is None:
            continue
        wire = to_wire(made)
        # What was given is what is sent, under the spec's own names (defaults may be added, in
        # nested objects too).
        assert _sent_as_given(instance, wire), (instance, wire)
        built = package.builders.target_connection(
            name="fuzz", base_connection_id="b1", **_arguments(package, instance)
        )
        assert to_wire(built)["params"] == wire


def _arguments(package: ModuleType, params: dict[str, Any]) -> dict[str, Any]:
    """``params`` (JSON names) as ``target_connection``'s keyword arguments: the builder's body
    maps each argument to its JSON name in one dict literal, read back here from its source.
    """
    tree = ast.parse(textwrap.dedent(inspect.getsource(package.builders.target_connection)))
    mapping = {
        key.value: value.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Dict)
        for key, value in zip(node.keys, node.values, strict=True)
        if isinstance(key, ast.Constant) and isinstance(value, ast.Name)
    }
    return {mapping[key]: value for key, value in params.items()}


def _check_auth(package: ModuleType, spec: dict[str, Any]) -> None:
    """The renamed auth spec still selects its own params class, and the target keeps its own."""
    entry = spec["authSpec"][0]
    auth = package.models.BaseConnection.model_validate(
        {
            "name": "fuzz",
            "auth": {"specName": entry["name"], "params": BASE_AUTH},
            "connectionSpec": {"id": spec["id"], "version": "1.0"},
        }
    )
    wire = to_wire(auth)["auth"]
    assert wire["specName"] == entry["name"]
    assert wire["params"] == BASE_AUTH
    assert package.models.TargetParams.model_json_schema()["title"] == "TargetParams"


# 10 examples keep this test near 10 s under coverage; `make fuzz` draws DESTGEN_FUZZ_DEPTH times
# as many from a fresh seed (400 and 300 ran clean on 2026-11-30; 60 to 80 on five seeds on
# 2026-12-07).
@settings(max_examples=fuzz_examples(10))
@given(mutated=mutation())
def test_mutated_spec_generates_faithful_code_or_stops_with_a_pointer(
    mutated: tuple[dict[str, Any], dict[str, list[Any]]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    spec, tried = mutated
    slug = next(SLUGS)
    folder = tmp_path_factory.mktemp(slug)
    code, stderr = _generate(spec, folder, slug)
    assert code in (0, 2), stderr
    event("generated" if code == 0 else "refused: " + stderr.rsplit(": ", 1)[-1].strip()[:40])
    if code == 2:
        _refused(folder, slug, stderr)
        return
    _in_black_layout(folder / "out")
    with _imported(folder / "out", slug) as package:
        _check_target(package, spec, tried)
        _check_auth(package, spec)


def _in_black_layout(out: Path) -> None:
    """Every module written is black's layout byte for byte, though black skipped most of them
    (format.format_rendered): a spec's text must never slip past it in a form black would
    change.
    """
    for module in sorted(out.rglob("*.py")):
        text = module.read_text(encoding="utf-8")
        assert black_format(text) == text, module


def _with_property(name: str, schema: dict[str, Any], required: bool = True) -> dict[str, Any]:
    spec: dict[str, Any] = copy.deepcopy(BASE_SPEC)
    spec["targetSpec"]["spec"]["properties"][name] = schema
    if required:
        spec["targetSpec"]["spec"]["required"].append(name)
    return spec


STRING: dict[str, Any] = {"type": "string"}
OBJECT: dict[str, Any] = {"type": "object", "properties": {"None": STRING}, "required": ["None"]}
# The review's named hazards, each pinned: these generate and validate as the schema says.
GENERATES = {
    "True": STRING,
    "none": STRING,
    "literal": STRING,
    "field": STRING,
    "dataflow": STRING,
    "specName": STRING,
    "compact": STRING,
    "class": OBJECT,
    "None": OBJECT,
    "zm2m": OBJECT,
}
# One generation a group ("None" and "none" would be one Python name, so they go apart); each
# property optional, so every value is judged on its own against a valid rest.
GROUPS = {"together": sorted(set(GENERATES) - {"None"}), "none-object": ["None"]}


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_hazardous_property_names_generate_faithful_code(
    group: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    slug = next(SLUGS)
    folder = tmp_path_factory.mktemp(slug)
    spec: dict[str, Any] = copy.deepcopy(BASE_SPEC)
    for name in GROUPS[group]:
        spec["targetSpec"]["spec"]["properties"][name] = GENERATES[name]
    code, stderr = _generate(spec, folder, slug)
    assert code == 0, stderr
    samples = ["x", 1, None, {"None": "x"}, {"None": 1}, {}]
    with _imported(folder / "out", slug) as package:
        _check_target(package, spec, dict.fromkeys(GROUPS[group], samples))
        _check_auth(package, spec)


def _auth_named(name: str) -> dict[str, Any]:
    spec: dict[str, Any] = copy.deepcopy(BASE_SPEC)
    spec["authSpec"][0]["name"] = name
    return spec


# And these stop with the pointer and the reason, in `generate` and in `generate --check` alike.
REFUSED = {
    "builder-keyword": (
        _with_property("baseConnectionId", STRING),
        "/targetSpec/spec/properties/baseConnectionId: 'baseConnectionId' becomes the Python name "
        "'base_connection_id', which the builder already uses",
    ),
    "auth-named-target": (
        _auth_named("Target"),
        "/authSpec/0/name: 'Target' becomes the class name 'TargetParams', which the target "
        "params already uses",
    ),
    "object-shadowing-field": (
        _with_property("field", OBJECT),
        "/targetSpec/spec/properties/field: 'field' becomes the class name 'Field', which an "
        "imported name already uses",
    ),
    "secret-default": (
        _with_property("x", {"type": "string", "format": "password", "default": "hunter2"}),
        "/targetSpec/spec/properties/x/default: a secret (format: password) cannot have a default",
    ),
    "null-default": (
        _with_property("x", {"type": "string", "default": None}),
        "/targetSpec/spec/properties/x/default: the default does not satisfy its own schema "
        "(type)",
    ),
}


@pytest.mark.parametrize("check", [False, True], ids=["generate", "check"])
@pytest.mark.parametrize("case", sorted(REFUSED))
def test_hazardous_spec_is_refused_with_a_pointer(
    case: str, check: bool, tmp_path_factory: pytest.TempPathFactory
) -> None:
    spec, message = REFUSED[case]
    slug = next(SLUGS)
    folder = tmp_path_factory.mktemp(slug)
    code, stderr = _generate(spec, folder, slug, check=check)
    assert code == 2
    assert f"{slug}.json#{message}" in stderr
    _refused(folder, slug, stderr)
