"""A destgen project folder closes the spec-driven loop: ``init``, ``fetch`` from the emulator
(on 127.0.0.1) into the project's specs, ``generate`` its library, and from then on ``validate``
judges payloads by the fetched spec, with no environment variable and no flag. Slugs stay what
they were on every refetch; fetch writes nowhere but the project.

Each command runs as its own process in the project folder, as a user runs it: the library a
process imports is chosen once, at its start.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from destgen_emulator import EmulatorServer
from tests.conftest import ROOT, run_destgen

pytestmark = pytest.mark.timeout(300)

CORPUS = ROOT / "tests" / "data" / "corpus_2020"
MOCK_S3 = CORPUS / "432768ac-d5d8-4650-b5e9-49902531818d__mock_s3.json"
MOCK_S3_ID = "432768ac-d5d8-4650-b5e9-49902531818d"
S3_ID = "4fce964d-3f37-408f-9778-e597338a21ee"


def _env(base_url: str | None = None) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("AEP_", "DESTGEN_"))}
    if base_url is None:
        return keep
    return keep | {
        "AEP_BASE_URL": base_url,
        "AEP_ACCESS_TOKEN": "t",
        "AEP_API_KEY": "k",
        "AEP_ORG_ID": "PROJECT@AdobeOrg",
        "AEP_SANDBOX_NAME": "prod",
    }


def _destgen(cwd: Path, *args: str, base_url: str | None = None) -> Any:
    return run_destgen(*args, cwd=cwd, env=_env(base_url))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "acme"
    folder.mkdir()
    done = _destgen(folder, "init")
    assert done.returncode == 0, done.stderr
    return folder


def _served(folder: Path, edit: Any = None, extra: tuple[Path, ...] = ()) -> Path:
    """A spec folder for the emulator: the curated specs (one edited), and raw extras."""
    shutil.copytree(ROOT / "specs_cache", folder)
    if edit is not None:
        s3 = json.loads((folder / "amazon_s3.json").read_text())
        edit(s3)
        (folder / "amazon_s3.json").write_text(json.dumps(s3))
    for path in extra:
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture
def csv_options_required(tmp_path: Path) -> Iterator[str]:
    """An emulator whose Amazon S3 spec has made ``csvOptions`` required."""

    def require_csv_options(spec: dict[str, Any]) -> None:
        spec["targetSpec"]["spec"]["required"].append("csvOptions")

    with EmulatorServer(specs=_served(tmp_path / "served", require_csv_options)) as server:
        yield server.base_url


def _target_payload(folder: Path) -> Path:
    payload = folder / "target.json"
    payload.write_text(
        json.dumps(
            {
                "name": "Acme exports",
                "baseConnectionId": "b1",
                "connectionSpec": {"id": S3_ID, "version": "1.0"},
                "params": {
                    "bucketName": "acme-exports",
                    "path": "audiences",
                    "fileType": "CSV",
                    "compression": "GZIP",
                },
            }
        )
    )
    return payload


def test_fetch_generate_validate_follows_the_new_spec_in_the_project(
    project: Path, csv_options_required: str, tmp_path: Path
) -> None:
    payload = _target_payload(project)
    before = _destgen(project, "validate", "--kind", "target-connection", str(payload))
    assert before.returncode == 0, before.stdout + before.stderr

    fetched = _destgen(project, "fetch", base_url=csv_options_required)
    assert fetched.returncode == 0, fetched.stderr
    assert "changed   amazon_s3" in fetched.stdout
    assert f"(in {project / 'specs'})" in fetched.stdout

    # Fetched, not yet generated: the command says the library is behind its specs.
    stale = _destgen(project, "validate", "--kind", "target-connection", str(payload))
    assert "the specs of amazon_s3 changed since" in stale.stderr
    assert "run `destgen generate`" in stale.stderr

    generated = _destgen(project, "generate")
    assert generated.returncode == 0, generated.stderr
    after = _destgen(project, "validate", "--kind", "target-connection", str(payload))
    assert after.returncode == 1, after.stdout + after.stderr
    assert "csvOptions" in after.stdout
    assert "changed since" not in after.stderr

    # Anywhere below the project, the same library; outside it, the bundled one.
    below = project / "destinations"
    assert _destgen(below, "validate", "--kind", "target-connection", str(payload)).returncode == 1
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    plain = _destgen(outside, "validate", "--kind", "target-connection", str(payload))
    assert plain.returncode == 0, plain.stdout
    pointed = _destgen(
        outside, "--project", str(project), "validate", "--kind", "target-connection", str(payload)
    )
    assert pointed.returncode == 1

    listed = _destgen(project, "destinations", "--json")
    assert f"library {project / 'library'}" in listed.stderr
    assert f"specs {project / 'specs'}" in listed.stderr


def test_a_raw_spec_fetched_by_id_is_a_destination_of_the_project_and_keeps_its_slug(
    project: Path, tmp_path: Path
) -> None:
    with EmulatorServer(specs=_served(tmp_path / "served", extra=(MOCK_S3,))) as server:
        fetched = _destgen(project, "fetch", "--spec-id", MOCK_S3_ID, base_url=server.base_url)
    assert fetched.returncode == 0, fetched.stderr
    assert "fetched   mock_s3" in fetched.stdout
    assert _destgen(project, "generate").returncode == 0

    listed = json.loads(_destgen(project, "destinations", "--json").stdout)
    assert "mock_s3" in {d["slug"] for d in listed}
    payload = project / "mock_target.json"
    body = {
        "name": "Mock",
        "baseConnectionId": "b1",
        "connectionSpec": {"id": MOCK_S3_ID, "version": "1.0"},
        "params": {},
    }
    payload.write_text(json.dumps(body))
    refused = _destgen(project, "validate", "--kind", "target-connection", str(payload))
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "$.params.path" in refused.stdout  # judged by the spec: path is required
    assert "unknown destination" not in refused.stdout + refused.stderr
    body["params"] = {"path": "exports"}
    payload.write_text(json.dumps(body))
    assert _destgen(project, "validate", str(payload)).returncode == 0

    # The service renames the destination: the next fetch keeps the slug it gave.
    renamed = json.loads(MOCK_S3.read_text()) | {"name": "Mock S3 (renamed)"}
    (tmp_path / "renamed").mkdir()
    (tmp_path / "renamed" / MOCK_S3.name).write_text(json.dumps(renamed))
    with EmulatorServer(
        specs=_served(tmp_path / "served2", extra=(tmp_path / "renamed" / MOCK_S3.name,))
    ) as server:
        again = _destgen(project, "fetch", "--spec-id", MOCK_S3_ID, base_url=server.base_url)
    assert again.returncode == 0, again.stderr
    assert "fetched   mock_s3" in again.stdout
    manifest = json.loads((project / "specs" / "manifest.json").read_text())
    (entry,) = [e for e in manifest["destinations"] if e["connection_spec_id"] == MOCK_S3_ID]
    assert entry["slug"] == "mock_s3"
    assert entry["name"] == "Mock S3 (renamed)"


def test_fetching_everything_into_a_fresh_folder_keeps_the_curated_slugs(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    with EmulatorServer(specs=_served(tmp_path / "served")) as server:
        done = _destgen(
            fresh, "fetch", "--all-destinations", "--out", "specs", base_url=server.base_url
        )
    assert done.returncode == 0, done.stderr
    manifest = json.loads((fresh / "specs" / "manifest.json").read_text())
    curated = json.loads((ROOT / "specs_cache" / "manifest.json").read_text())
    by_id = {e["connection_spec_id"]: e["slug"] for e in manifest["destinations"]}
    for entry in curated["destinations"]:
        assert by_id[entry["connection_spec_id"]] == entry["slug"]


def test_fetch_outside_a_project_never_writes_into_the_shipped_specs(tmp_path: Path) -> None:
    before = {p.name: p.read_bytes() for p in (ROOT / "specs_cache").iterdir()}
    empty = tmp_path / "empty"
    empty.mkdir()
    with EmulatorServer(specs=_served(tmp_path / "served")) as server:
        done = _destgen(empty, "fetch", "--all-destinations", base_url=server.base_url)
    assert done.returncode == 0, done.stderr
    assert (empty / "specs_cache" / "manifest.json").is_file(), "written where it was run"
    assert {p.name: p.read_bytes() for p in (ROOT / "specs_cache").iterdir()} == before


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('specs = "specs"\nlibary = "lib"\n', "/libary: unknown key; did you mean 'library'?"),
        ('library = "../elsewhere"\n', "/library: '../elsewhere': give a folder inside"),
        ('library = "/etc"\n', "/library: '/etc': give a folder inside"),
        ("activations = 'destinations'\n", "/activations: expected a list"),
        ("specs = [\n", "not TOML"),
    ],
)
def test_a_bad_project_config_is_exit_2_naming_file_and_key(
    tmp_path: Path, config: str, message: str
) -> None:
    (tmp_path / "destgen.toml").write_text(config)
    done = _destgen(tmp_path, "validate", str(ROOT / "examples" / "amazon_s3.json"))
    assert done.returncode == 2
    assert str(tmp_path / "destgen.toml") in done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_a_project_without_its_library_says_how_to_make_it(project: Path) -> None:
    shutil.rmtree(project / "library")
    done = _destgen(project, "validate", str(ROOT / "examples" / "amazon_s3.json"))
    assert done.returncode == 2
    assert "run `destgen generate`" in done.stderr


def test_a_library_for_another_runtime_is_refused_with_the_fix(project: Path) -> None:
    state_file = project / "library" / ".destgen-state.json"
    state = json.loads(state_file.read_text())
    assert not (project / "library" / "destgen_destinations" / "runtime").exists(), "never copied"
    state_file.write_text(json.dumps(state | {"runtime": "0.0.1"}))
    done = _destgen(project, "validate", str(ROOT / "examples" / "amazon_s3.json"))
    assert done.returncode == 2
    assert "generated for destgen-runtime 0.0.1, not " in done.stderr
    assert "run `destgen generate`" in done.stderr


def test_init_in_a_pyproject_and_plan_reads_the_project_activations(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "acme"\n')
    assert _destgen(tmp_path, "init", "--pyproject").returncode == 0
    assert "[tool.destgen]" in (tmp_path / "pyproject.toml").read_text()
    assert _destgen(tmp_path, "init").returncode == 2, "never a second config"
    shutil.copy(ROOT / "examples" / "amazon_s3.json", tmp_path / "destinations" / "s3.json")
    done = _destgen(tmp_path, "validate")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "s3.json" in done.stdout
