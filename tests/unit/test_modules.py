"""Direct tests of single modules: spec_diff classes, writer, format, pipeline fingerprint,
listing filters, patch_ops routing. Milliseconds each, no subprocess, no server.
"""

from __future__ import annotations

import copy
import json
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from destgen_runtime.payloads import patch_ops

from destgen import pipeline
from destgen.errors import GeneratorError
from destgen.format import format_source
from destgen.resources import runtime_dir
from destgen.spec_diff import diff, facts, summary
from destgen.specs import check_schema, load_specs
from destgen.writer import STATE_FILE, read_state, write_all_or_nothing, write_tree
from destgen_emulator.service.errors import ApiError
from destgen_emulator.service.listing import decode_token, encode_token, matches, parse_filters
from tests.conftest import ROOT

SELECTORS = "/transformations/0/params/segmentSelectors/selectors"
S3 = json.loads((ROOT / "specs_cache" / "amazon_s3.json").read_text())


def _changed(edit: Any) -> list[tuple[str, str]]:
    new = copy.deepcopy(S3)
    edit(new)
    return [(c.cls, c.what) for c in diff("amazon_s3", facts(S3), facts(new))]


def _target(spec: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = spec["targetSpec"]["spec"]["properties"]
    return props


def _optional(spec: dict[str, Any]) -> str:
    required = set(spec["targetSpec"]["spec"]["required"])
    return next(name for name in _target(spec) if name not in required)


DIFF_CASES = [
    ("description", lambda s: _target(s)["path"].update(description="x"), "cosmetic"),
    ("enum-added-value", lambda s: _target(s)["compression"]["enum"].append("ZSTD"), "additive"),
    ("enum-removed-value", lambda s: _target(s)["compression"]["enum"].remove("GZIP"), "breaking"),
    ("pattern-changed", lambda s: _target(s)["bucketName"].update(pattern="^x$"), "breaking"),
    (
        "new-required",
        lambda s: s["targetSpec"]["spec"]["required"].append(_optional(s)),
        "breaking",
    ),
]


@pytest.mark.parametrize(
    ("edit", "cls"), [c[1:] for c in DIFF_CASES], ids=[c[0] for c in DIFF_CASES]
)
def test_spec_diff_classifies_each_change(edit: Any, cls: str) -> None:
    changes = _changed(edit)
    assert changes, "no change found"
    assert {c for c, _ in changes} == {cls}, changes


def test_spec_diff_summary_counts_every_class() -> None:
    changes = diff("amazon_s3", facts(S3), facts(S3))
    assert changes == []
    assert summary(changes) == {"breaking": 0, "additive": 0, "cosmetic": 0}


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ({"type": "object", "allOf": []}, "unsupported JSON Schema keyword 'allOf'"),
        ({"type": "string", "pattern": "(["}, "pattern does not compile"),
        ({"type": "string", "$ref": "#/x"}, "unsupported JSON Schema keyword '$ref'"),
    ],
    ids=["allOf", "bad-pattern", "ref"],
)
def test_check_schema_names_pointer(schema: dict[str, Any], message: str) -> None:
    with pytest.raises(GeneratorError) as caught:
        check_schema("spec.json", "/authSpec/0/spec", schema)
    assert caught.value.file == "spec.json"
    assert caught.value.pointer.startswith("/authSpec/0/spec")
    assert message in caught.value.message


def test_load_specs_reads_the_cache() -> None:
    specs = load_specs(ROOT / "specs_cache")
    assert [s.slug for s in specs] == sorted(s.slug for s in specs)
    assert all(len(s.sha256) == 64 for s in specs)


def test_writer_writes_only_changes_and_deletes_only_stale(tmp_path: Path) -> None:
    (tmp_path / "keep.py").write_text("same\n")
    (tmp_path / "old.py").write_text("stale\n")
    report = write_tree(
        tmp_path, {"keep.py": "same\n", "pkg/new.py": "new\n"}, {"old.py"}, check=False
    )
    assert report.created == ["pkg/new.py"]
    assert report.updated == []
    assert report.deleted == ["old.py"]
    assert not (tmp_path / "old.py").exists()
    assert (tmp_path / "pkg" / "new.py").read_text() == "new\n"


def test_writer_check_mode_touches_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("old\n")
    report = write_tree(tmp_path, {"a.py": "new\n"}, set(), check=True)
    assert report.updated == ["a.py"]
    assert (tmp_path / "a.py").read_text() == "old\n"


def test_writer_all_or_nothing_leaves_no_temp_files(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("x")
    with pytest.raises(OSError):  # noqa: PT011 - the OS decides which error a file-as-dir gives
        write_all_or_nothing({tmp_path / "ok.txt": "a", blocked / "inside.txt": "b"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_writer_unreadable_state_is_empty(tmp_path: Path) -> None:
    (tmp_path / STATE_FILE).write_text("{not json")
    assert read_state(tmp_path) == {}


def test_format_groups_imports_and_applies_black() -> None:
    source = "import os\nfrom destgen_runtime import wire\nimport sys\nx=1\n"
    formatted = format_source(source)
    assert formatted == ("import os\nimport sys\n\nfrom destgen_runtime import wire\n\nx = 1\n")
    assert format_source(formatted) == formatted


def test_pipeline_fingerprint_covers_every_generator_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = pipeline.toolchain_fingerprint()
    package = tmp_path / "destgen"
    package.mkdir()
    for module in pipeline.GENERATOR_DIR.glob("*.py"):
        (package / module.name).write_bytes(module.read_bytes())
    (package / "cli").mkdir()
    monkeypatch.setattr(pipeline, "GENERATOR_DIR", package)
    monkeypatch.setattr(pipeline, "CLI_DIR", package / "cli")
    assert pipeline.toolchain_fingerprint() == before
    (package / "cli" / "new_command.py").write_text("x = 1\n")
    assert pipeline.toolchain_fingerprint() == before, "the CLI does not decide generated bytes"
    (package / "new_stage.py").write_text("x = 1\n")
    assert pipeline.toolchain_fingerprint() != before, "a new pipeline module must count"


def test_pipeline_fingerprint_is_the_runtime_version_not_its_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = pipeline.toolchain_fingerprint()
    monkeypatch.setattr(pipeline, "runtime_version", lambda: "9.9.9")
    assert pipeline.toolchain_fingerprint() != before, "a new runtime version must re-render"
    monkeypatch.undo()
    source = runtime_dir() / "transport" / "retry.py"
    assert source.is_file()
    # Nothing of the runtime's files is read: a comment there re-renders nothing.
    read: list[Path] = []
    real = Path.read_bytes

    def spying(path: Path) -> bytes:
        read.append(path)
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", spying)
    assert pipeline.toolchain_fingerprint() == before
    assert not [p for p in read if p.is_relative_to(runtime_dir())]


def test_manifest_entry_edit_regenerates_the_destination(tmp_path: Path) -> None:
    cache, out = tmp_path / "specs", tmp_path / "out"
    cache.mkdir()
    (cache / "sftp.json").write_bytes((ROOT / "specs_cache" / "sftp.json").read_bytes())
    manifest = json.loads((ROOT / "specs_cache" / "manifest.json").read_text())
    manifest["destinations"] = [e for e in manifest["destinations"] if e["slug"] == "sftp"]
    (cache / "manifest.json").write_text(json.dumps(manifest))
    assert pipeline.generate(cache, out).rendered == ["sftp"]
    assert pipeline.generate(cache, out).rendered == []
    new_id = "00000000-1111-4222-8333-444444444444"
    manifest["destinations"][0]["dataset_flow_spec_id"] = new_id
    (cache / "manifest.json").write_text(json.dumps(manifest))
    assert pipeline.generate(cache, out).rendered == ["sftp"]
    assert (
        f'DATASET_FLOW_SPEC_ID = "{new_id}"'
        in (out / "destgen_destinations" / "sftp" / "spec.py").read_text()
    )


ENTITY = {
    "name": "Acme, staging",
    "state": "enabled",
    "inheritedAttributes": {"properties": {"isSourceFlow": False}},
    "targetConnectionIds": ["t1", "t2"],
    "updatedAt": 5,
}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("state==enabled", True),
        ("state!=enabled", False),
        ("state==disabled,enabled", True),
        ("targetConnectionIds[]==t2", True),
        ("targetConnectionIds[]==t3", False),
        ("inheritedAttributes.properties.isSourceFlow==false", True),
        ("updatedAt>4", True),
        ("updatedAt<=4", False),
        ("name==Acme", False),
    ],
)
def test_listing_filters_match(expression: str, expected: bool) -> None:
    assert matches(ENTITY, parse_filters([expression])) is expected


@pytest.mark.parametrize("expression", ["name~Acme", "no operator", "updatedAt<=1,2"])
def test_listing_filters_refuse_what_the_api_refuses(expression: str) -> None:
    with pytest.raises(ApiError):
        parse_filters([expression])


def test_listing_continuation_token_round_trip_and_refusal() -> None:
    assert decode_token(encode_token([], [[2, "x"]])) == ([], [[2, "x"]])
    with pytest.raises(ApiError):
        decode_token("not-a-token")


@pytest.mark.parametrize(
    ("op", "expected"),
    [
        ({"op": "add", "path": f"{SELECTORS}/-"}, "audience-add"),
        ({"op": "ADD", "path": f"{SELECTORS}/-"}, "audience-add"),
        ({"op": "remove", "path": f"{SELECTORS}/3"}, "audience-remove"),
        ({"op": "replace", "path": f"{SELECTORS}/3"}, "audience-replace"),
        ({"op": "replace", "path": "/name", "value": "x"}, "rename"),
        ({"op": "move", "path": "/name"}, None),
    ],
    ids=["add", "add-upper", "remove", "replace", "rename", "move"],
)
def test_patch_ops_route_each_documented_op(op: dict[str, Any], expected: str | None) -> None:
    assert patch_ops._route(op) == expected


def test_patch_ops_unknown_path_is_rejected_with_its_index() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as caught:
        patch_ops.Patch.model_validate([{"op": "add", "path": "/nowhere", "value": 1}])
    assert caught.value.errors()[0]["loc"][0] == 0


@pytest.mark.parametrize(
    ("data", "loc", "expected"),
    [
        ({"a": [{"b": 1}]}, ("a", 0, "b"), "$.a[0].b"),
        (
            {"auth": {"params": {}}},
            ("auth", "AccessKeyAuth", "params", "s3SecretKey"),
            "$.auth.params.s3SecretKey",
        ),
        ({"a": []}, ("a", 3), "$.a[3]"),
        ({"p": {}}, ("p", "function-after[check(), Model]", "csvOptions"), "$.p.csvOptions"),
    ],
    ids=["index", "union-tag", "missing-index", "kebab-tag"],
)
def test_json_path_names_what_is_in_the_file(
    data: Any, loc: tuple[Any, ...], expected: str
) -> None:
    from destgen_runtime.schema.json_path import json_path

    assert json_path(data, loc) == expected


SECRET = 'Pa$$w0rd/with "quotes" é'


@pytest.mark.parametrize(
    "echo",
    [
        SECRET,
        json.dumps(SECRET)[1:-1],
        json.dumps(SECRET, ensure_ascii=False)[1:-1],
        urllib.parse.quote(SECRET, safe=""),
        urllib.parse.quote_plus(SECRET),
        SECRET[3:14],
    ],
    ids=["raw", "json-ascii", "json", "url", "form", "fragment"],
)
def test_redact_scrubs_every_form_of_a_secret(echo: str) -> None:
    from destgen_runtime.transport.redact import scrub

    text = scrub(f"invalid value '{echo}' in request", [SECRET])
    assert text == "invalid value '***' in request"


def test_redact_leaves_short_and_unrelated_text() -> None:
    from destgen_runtime.transport.redact import scrub

    assert scrub("key k is bad", ["k"]) == "key k is bad"
    assert scrub("nothing secret here", ["TOKENVALUE123"]) == "nothing secret here"


def test_coverage_floor_figures_per_component() -> None:
    from tests.coverage_floor import component_figures

    summary = {"num_statements": 100, "missing_lines": 2, "num_branches": 10, "missing_branches": 1}
    figures = component_figures(
        {
            "generator/destgen/a.py": summary,
            "runtime/destgen_runtime/b.py": summary
            | {"missing_lines": 5, "num_branches": 0, "missing_branches": 0},
        }
    )
    assert figures["generator"] == (98.0, 90.0)
    assert figures["library"] == (95.0, 100.0)
    assert figures["emulator"] == (0.0, 100.0)  # nothing measured: below any floor
