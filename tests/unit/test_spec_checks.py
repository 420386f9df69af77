"""The spec loader's checks, in process: every malformed manifest, spec file or schema is refused
with the file, the JSON pointer and a reason, before anything is generated.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from destgen.errors import GeneratorError
from destgen.specs import check_schema, load_specs
from tests.conftest import ROOT, run_cli

Edit = Callable[[Path], object]


def _json(name: str, change: Callable[[Any], Any]) -> Edit:
    """Edit the JSON file ``name`` in place (``change``'s return value is ignored)."""

    def apply(folder: Path) -> None:
        path = folder / name
        data = json.loads(path.read_text())
        change(data)
        path.write_text(json.dumps(data))

    return apply


def _swap(name: str, build: Callable[[Any], Any]) -> Edit:
    """Replace the JSON file ``name`` with what ``build`` makes of its content."""

    def apply(folder: Path) -> None:
        path = folder / name
        path.write_text(json.dumps(build(json.loads(path.read_text()))))

    return apply


def _target(change: Callable[[dict[str, Any]], Any]) -> Edit:
    return _json("sftp.json", lambda s: change(s["targetSpec"]["spec"]))


def _prop(change: Callable[[dict[str, Any]], Any]) -> Edit:
    return _target(lambda t: change(t["properties"]["remotePath"]))


def _entry(change: Callable[[dict[str, Any]], Any]) -> Edit:
    return _json("manifest.json", lambda m: change(m["destinations"][0]))


CASES: list[tuple[str, Edit, str, str]] = [
    (
        "manifest-empty",
        _swap("manifest.json", lambda m: {"destinations": []}),
        "manifest.json",
        "/destinations: expected a non-empty array",
    ),
    (
        "manifest-not-object",
        _swap("manifest.json", lambda m: [1]),
        "manifest.json",
        "/destinations: expected a non-empty array",
    ),
    (
        "entry-not-object",
        _json("manifest.json", lambda m: m["destinations"].__setitem__(0, 7)),
        "manifest.json",
        "/destinations/0: expected an object",
    ),
    (
        "slug-not-snake",
        _entry(lambda e: e.__setitem__("slug", "Adls-Gen2")),
        "manifest.json",
        "/destinations/0/slug: expected a snake_case slug",
    ),
    (
        "slug-keyword",
        _entry(lambda e: e.__setitem__("slug", "class")),
        "manifest.json",
        "/destinations/0/slug: slug 'class' is reserved",
    ),
    (
        "slug-runtime",
        _entry(lambda e: e.__setitem__("slug", "runtime")),
        "manifest.json",
        "/destinations/0/slug: slug 'runtime' is reserved",
    ),
    (
        # Absent or null is an unknown flow spec; an empty one is a mistake.
        "empty-flow-spec",
        _entry(lambda e: e.update(audience_flow_spec_id="")),
        "manifest.json",
        "/destinations/0/audience_flow_spec_id: expected a flow spec id or null",
    ),
    ("spec-missing", lambda f: (f / "sftp.json").unlink(), "sftp.json", "/: cannot read"),
    (
        "spec-not-utf8",
        lambda f: (f / "sftp.json").write_bytes(b"\xff\xfe{"),
        "sftp.json",
        "/: not valid JSON",
    ),
    (
        "items-two",
        _swap("sftp.json", lambda s: {"items": [s, s]}),
        "sftp.json",
        "/items: expected exactly one connection spec",
    ),
    (
        "spec-array",
        _swap("sftp.json", lambda s: [s]),
        "sftp.json",
        "/: expected a connection spec object",
    ),
    (
        "no-id",
        _json("sftp.json", lambda s: s.pop("id")),
        "sftp.json",
        "/id: missing or not a non-empty string",
    ),
    (
        "no-target",
        _json("sftp.json", lambda s: s.pop("targetSpec")),
        "sftp.json",
        "/targetSpec: missing",
    ),
    (
        "auth-not-array",
        _json("sftp.json", lambda s: s.__setitem__("authSpec", {})),
        "sftp.json",
        "/authSpec: expected an array",
    ),
    (
        "auth-no-name",
        _json("sftp.json", lambda s: s["authSpec"][0].pop("name")),
        "sftp.json",
        "/authSpec/0/name: expected an entry with a name",
    ),
    (
        "auth-duplicate",
        _json(
            "sftp.json", lambda s: s["authSpec"][1].__setitem__("name", s["authSpec"][0]["name"])
        ),
        "sftp.json",
        "/authSpec/1/name: duplicate name",
    ),
    (
        "target-not-object",
        _json("sftp.json", lambda s: s.__setitem__("targetSpec", [])),
        "sftp.json",
        "/targetSpec: expected an object",
    ),
    (
        "target-not-object-schema",
        _target(lambda t: t.__setitem__("type", "array")),
        "sftp.json",
        "/targetSpec/spec: expected an object schema with properties",
    ),
    (
        "type-null",
        _prop(lambda p: p.__setitem__("type", "null")),
        "sftp.json",
        "/targetSpec/spec/properties/remotePath/type: unsupported type 'null'",
    ),
    (
        "pattern-bad",
        _prop(lambda p: p.__setitem__("pattern", "(")),
        "sftp.json",
        "/targetSpec/spec/properties/remotePath/pattern: pattern does not compile",
    ),
    (
        "pattern-backtracks",
        _prop(lambda p: p.__setitem__("pattern", "(?=x)^(a+)+$")),
        "sftp.json",
        "/remotePath/pattern: pattern may backtrack catastrophically",
    ),
    (
        "nan-in-enum",
        lambda f: (f / "sftp.json").write_text(
            (f / "sftp.json").read_text().replace('"enum": [', '"enum": [NaN, ', 1)
        ),
        "sftp.json",
        "/: not valid JSON: NaN is not a JSON number",
    ),
    (
        "nul-in-a-name",
        _prop(lambda p: p.__setitem__("title", "bad\u0000title")),
        "sftp.json",
        "/targetSpec/spec/properties/remotePath/title: NUL or a lone surrogate",
    ),
    (
        "lone-surrogate-key",
        lambda f: (f / "sftp.json").write_text(
            (f / "sftp.json").read_text().replace('"remotePath"', '"remote\\ud800Path"', 1)
        ),
        "sftp.json",
        "NUL or a lone surrogate in a key",
    ),
    (
        "default-outside-enum",
        _target(lambda t: t["properties"]["compression"].__setitem__("default", "ZIP")),
        "sftp.json",
        "/targetSpec/spec/properties/compression/default: the default is not one of the enum",
    ),
    (
        "python-name-collision",
        _target(lambda t: t["properties"].__setitem__("remote_path", {"type": "string"})),
        "sftp.json",
        "'remote_path' and 'remotePath' both become the Python name 'remote_path'",
    ),
    (
        "nested-conditional",
        _target(
            lambda t: t["properties"].__setitem__(
                "nested",
                {
                    "type": "object",
                    "properties": {
                        "x": {
                            "type": "string",
                            "conditional": {"field": "y", "operator": "EQUALS", "value": "z"},
                        }
                    },
                },
            )
        ),
        "sftp.json",
        "/targetSpec/spec/properties/nested/properties/x/conditional: a conditional below",
    ),
    (
        "pattern-number",
        _prop(lambda p: p.__setitem__("pattern", 5)),
        "sftp.json",
        "/targetSpec/spec/properties/remotePath/pattern: a pattern must be a string",
    ),
    (
        "required-undeclared",
        _target(lambda t: t.__setitem__("required", ["nope"])),
        "sftp.json",
        "/targetSpec/spec/required: required must list declared properties",
    ),
    (
        "oneof-not-const",
        _prop(lambda p: p.__setitem__("oneOf", [{"type": "string"}])),
        "sftp.json",
        "/targetSpec/spec/properties/remotePath/oneOf: only oneOf of const values",
    ),
    (
        "additional-schema",
        _target(lambda t: t.__setitem__("additionalProperties", {})),
        "sftp.json",
        "/targetSpec/spec/additionalProperties: only a boolean additionalProperties",
    ),
    (
        "conditional-partial",
        _prop(lambda p: p.__setitem__("conditional", {"field": "x"})),
        "sftp.json",
        "/remotePath/conditional: conditional needs field, operator and value",
    ),
    (
        "conditional-operator",
        _prop(
            lambda p: p.__setitem__("conditional", {"field": "x", "operator": "LIKE", "value": "y"})
        ),
        "sftp.json",
        "/remotePath/conditional/operator: unknown operator 'LIKE'",
    ),
]


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    folder = tmp_path / "specs"
    shutil.copytree(ROOT / "specs_cache", folder)
    return folder


@pytest.mark.parametrize(
    ("edit", "file", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_malformed_input_is_refused_with_file_and_pointer(
    specs: Path, edit: Edit, file: str, message: str
) -> None:
    edit(specs)
    with pytest.raises(GeneratorError) as caught:
        load_specs(specs)
    assert str(caught.value).startswith(str(specs / file) + "#"), caught.value
    assert message in str(caught.value)


def test_a_saved_get_response_is_accepted_as_the_spec(specs: Path) -> None:
    _swap("sftp.json", lambda s: {"items": [s]})(specs)
    loaded = {s.slug: s for s in load_specs(specs)}
    assert loaded["sftp"].data["name"]
    assert "authSpec" in loaded["sftp"].data


def test_only_names_unknown_destinations(specs: Path) -> None:
    with pytest.raises(GeneratorError, match=r"unknown destination\(s\): \['nope'\]"):
        load_specs(specs, frozenset({"sftp", "nope"}))
    assert [s.slug for s in load_specs(specs, frozenset({"sftp"}))] == ["sftp"]


def test_unknown_keys_are_listed_only_when_asked() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string", "uiHint": 1}}}
    check_schema("f.json", "/s", schema)  # no list given: nothing recorded, nothing raised
    ignored: list[str] = []
    check_schema("f.json", "/s", schema, ignored)
    assert ignored == ["f.json#/s/properties/a/uiHint"]
    with pytest.raises(GeneratorError, match="expected a JSON Schema object"):
        check_schema("f.json", "/s", {"type": "object", "properties": {"a": 3}})


FETCH_ENV = {
    "AEP_ACCESS_TOKEN": "t",
    "AEP_API_KEY": "k",
    "AEP_ORG_ID": "o@AdobeOrg",
    "AEP_BASE_URL": "http://127.0.0.1:9",  # nothing listens: these runs stop before any request
}


@pytest.mark.parametrize(
    ("edit", "args", "message"),
    [
        (_swap("manifest.json", lambda m: {"destinations": {}}), (), "expected a non-empty array"),
        (
            _entry(lambda e: e.pop("connection_spec_id")),
            (),
            "/destinations/0/connection_spec_id: expected a connection spec id",
        ),
        (lambda _f: None, ("--destination", "nope"), "unknown destination(s): ['nope']"),
    ],
    ids=["manifest-not-a-list", "no-connection-spec-id", "unknown-destination"],
)
def test_fetch_refuses_a_bad_manifest_before_any_request(
    specs: Path, edit: Edit, args: tuple[str, ...], message: str
) -> None:
    edit(specs)
    before = {p.name: p.read_bytes() for p in specs.iterdir()}
    done = run_cli("fetch", "--specs", str(specs), *args, env=FETCH_ENV)
    assert done.returncode == 1
    assert message in done.stderr
    assert "the cache was left as it was" in done.stderr
    assert {p.name: p.read_bytes() for p in specs.iterdir()} == before
