"""Any connection spec in, no manifest: the 44 real specs of tests/data/corpus_2020 each generate
a package that imports, lints, type-checks and agrees with jsonschema, or are refused with a
``file#/pointer`` reason; a bad spec never stops its folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from destgen_runtime.schema.conditionals import CONDITIONALS_KEY
from destgen_runtime.schema.dialect import standardise
from destgen_runtime.schema.naming import slug_of

from destgen.spec_folder import read_spec_folder
from tests.conftest import ROOT, run_cli, run_destgen
from tests.fuzz_depth import FUZZ_DEPTH

CORPUS = ROOT / "tests" / "data" / "corpus_2020"
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def corpus_library(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("corpus") / "library"
    # Its own interpreter: a render of many destinations forks workers.
    done = run_destgen("generate", "--specs", str(CORPUS), "--out", str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    return out, done.stdout + done.stderr


def _env(out: Path) -> dict[str, str]:
    # The corpus library first: it has the checkout's package name, destgen_destinations.
    return os.environ | {"PYTHONPATH": f"{out}{os.pathsep}{ROOT}"}


def test_every_corpus_spec_generates_or_is_refused_with_a_pointer(
    corpus_library: tuple[Path, str],
) -> None:
    out, text = corpus_library
    folder = read_spec_folder(CORPUS)
    generated = sorted(p.name for p in (out / "destgen_destinations").iterdir() if p.is_dir())
    assert "runtime" not in generated, "the runtime is its own distribution, never copied"
    assert len(generated) + len(folder.refused) == 44
    assert {s.slug for s in folder.specs} == set(generated)
    assert {"adobe_campaign", "salesforce_marketing_cloud", "azure_event_hub", "braze"} <= set(
        generated
    )
    for refusal in folder.refused:
        assert refusal.not_a_destination, refusal  # every destination spec of the corpus generates
        assert all("#/" in reason for reason in refusal.reasons)
    assert "not a destination: Adobe Target v2" in text
    assert "Traceback" not in text


def test_corpus_packages_import_lint_and_type_check(corpus_library: tuple[Path, str]) -> None:
    out, _ = corpus_library
    imported = subprocess.run(
        [
            sys.executable,
            "-c",
            "import importlib; from destgen_destinations import registry\n"
            "for s in registry.SLUGS: importlib.import_module('destgen_destinations.' + s)\n"
            "print(len(registry.SLUGS))",
        ],
        env=_env(out),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == "19"
    packages = out / "destgen_destinations"
    linted = subprocess.run(
        [BIN / "ruff", "check", "--no-cache", "--select", "F,E9,I,B,UP,RUF,SIM,W", str(packages)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert linted.returncode == 0, linted.stdout[-3000:]
    config = out.parent / "mypy.ini"
    config.write_text(
        "[mypy]\nplugins = pydantic.mypy\nstrict = True\nexplicit_package_bases = True\n"
        "python_version = 3.11\n"
    )
    typed = subprocess.run(
        [BIN / "mypy", "--config-file", str(config), "--no-incremental", "destgen_destinations"],
        cwd=out,
        capture_output=True,
        text=True,
        timeout=300 * FUZZ_DEPTH,
        check=False,
    )
    assert typed.returncode == 0, typed.stdout[-3000:]


@pytest.mark.fuzz
def test_corpus_models_agree_with_jsonschema(corpus_library: tuple[Path, str]) -> None:
    out, _ = corpus_library
    done = subprocess.run(
        [sys.executable, "-m", "tests.corpus_differential", str(CORPUS)],
        env=_env(out),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    result = json.loads(done.stdout.splitlines()[-1])
    assert result == {"checked": 38, "failures": []}


def _spec(name: str, target: dict[str, object]) -> dict[str, object]:
    return {
        "id": f"id-{name}",
        "name": name,
        "version": "1.0",
        "authSpec": [],
        "targetSpec": {"name": "t", "spec": {"type": "object", "properties": target}},
    }


def test_one_bad_spec_lists_all_its_problems_and_never_stops_the_folder(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    shutil.copy(CORPUS / "bf9f5905-92b7-48bf-bf20-455bc6b60a4e__azure_eventhub.json", specs)
    shutil.copy(CORPUS / "b69c2b6e-2da2-4448-abc4-890fa81c7024__braze.json", specs)
    bad = _spec(
        "Broken Partner",
        {
            "a": {"type": "string", "not": {"const": "x"}},
            "b": {"type": "tuple"},
        },
    )
    (specs / "broken.json").write_text(json.dumps(bad))
    (specs / "same.json").write_text(json.dumps(_spec("Azure EventHub", {"x": {"type": "string"}})))
    out = tmp_path / "out"
    done = run_destgen("generate", "--specs", str(specs), "--out", str(out))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "broken.json#/targetSpec/spec/properties/a/not: unsupported JSON Schema keyword" in (
        done.stderr
    )
    assert "broken.json#/targetSpec/spec/properties/b/type: unsupported type 'tuple'" in done.stderr
    # Two specs whose names give one slug: neither wins by file order.
    assert "its slug 'azure_event_hub' is also the slug of" in done.stderr
    assert "3 destination specs refused" in done.stderr
    assert "Traceback" not in done.stderr
    assert (out / "destgen_destinations" / "braze" / "models" / "target.py").is_file()


def test_a_new_spec_in_the_folder_generates_with_no_edit(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    spec = _spec("Acme Stream 2", {"endpoint": {"type": "string", "isRequired": True}})
    (specs / "acme.json").write_text(json.dumps({"items": [spec]}))  # a saved GET answer
    out = tmp_path / "out"
    done = run_cli("generate", "--specs", str(specs), "--out", str(out))
    assert done.returncode == 0, done.stderr
    spec_module = (out / "destgen_destinations" / "acme_stream_2" / "spec.py").read_text()
    assert "AUDIENCE_FLOW_SPEC_ID = None" in spec_module
    target = (out / "destgen_destinations" / "acme_stream_2" / "models" / "target.py").read_text()
    assert "includeFileManifest" not in target  # a stream has no files
    assert "endpoint: str" in target  # isRequired read as required


def test_slugs_come_from_names_and_never_shadow_the_library() -> None:
    assert slug_of("Azure EventHub") == "azure_event_hub"
    assert slug_of("Google Display & Video 360") == "google_display_video_360"
    assert slug_of("3rd party") == "d_3rd_party"
    assert slug_of("runtime") == "runtime_destination"
    assert slug_of("class") == "class_destination"
    assert slug_of("!!!") == "destination"


def test_the_dialect_is_read_as_json_schema_and_said() -> None:
    spec = _spec(
        "Dialect",
        {
            "mode": {"type": "string", "enum": ["S3", "FTP"]},
            "key": {"type": "string", "isRequired": True},
            "required": ["mode"],
        },
    )
    spec["authSpec"] = [
        {
            "name": "Keys",
            "spec": {
                "type": "object",
                "properties": {"secret": {"type": "string", "format": "password", "default": ""}},
            },
        }
    ]
    spec["encryptionSpecs"] = [
        {
            "name": "PGP",
            "spec": {
                "type": "object",
                "properties": {
                    "algo": {"type": "string", "enum": ["NONE", "PGP/GPG"]},
                    "publicKey": {"type": "string"},
                },
                "required": ["algo"],
                "if": {"properties": {"algo": {"const": "PGP/GPG"}}},
                "then": {"allOf": [{"required": ["publicKey"]}]},
            },
        }
    ]
    read, notes = standardise(spec)
    target = read["targetSpec"]["spec"]
    assert target["required"] == ["mode", "key"]
    assert "required" not in target["properties"]
    assert "default" not in read["authSpec"][0]["spec"]["properties"]["secret"]
    encryption = read["encryptionSpecs"][0]["spec"]
    assert "if" not in encryption
    assert encryption[CONDITIONALS_KEY] == [
        {
            "field": "publicKey",
            "when": "algo",
            "operator": "EQUALS",
            "value": "PGP/GPG",
            "required": True,
        }
    ]
    assert len(notes) == 4
    # An if the models cannot say the same way (an else; a field that may be absent) stays, and
    # the checks refuse it with its pointer.
    loose = json.loads(json.dumps(spec))
    loose["encryptionSpecs"][0]["spec"]["required"] = []
    assert "if" in standardise(loose)[0]["encryptionSpecs"][0]["spec"]


def test_destinations_lists_what_a_spec_folder_supports_and_refuses(tmp_path: Path) -> None:
    done = run_cli("destinations", "--json", "--specs", str(CORPUS))
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    by_slug = {d["slug"]: d for d in listed["destinations"]}
    assert len(by_slug) == 19
    assert by_slug["braze"]["supports"] == ["streamed audiences"]
    assert by_slug["azure_event_hub"]["supports"] == ["streamed audiences"]
    assert by_slug["adobe_campaign"]["supports"] == ["audience files"]
    assert by_slug["braze"]["audienceFlowSpecId"] is None
    assert len(listed["refused"]) == 25
    assert all(r["notADestination"] for r in listed["refused"])
    installed = {
        d["slug"]: d["supports"] for d in json.loads(run_cli("destinations", "--json").stdout)
    }
    assert installed["amazon_s3"] == ["audience files", "dataset files"]
    assert installed["amazon_s3_legacy"] == ["audience files"]
    assert installed["azure_event_hubs"] == installed["braze"] == ["streamed audiences"]
    (tmp_path / "bad.json").write_text(json.dumps(_spec("Bad", {"a": {"type": "tuple"}})))
    refused = run_cli("destinations", "--specs", str(tmp_path))
    assert refused.returncode == 2
    assert "bad.json#/targetSpec/spec/properties/a/type: unsupported type 'tuple'" in refused.stdout
    missing = run_cli("destinations", "--specs", str(tmp_path / "nowhere"))
    assert missing.returncode == 2
