"""The spec-change loop end to end: the emulator serves modified specs, destgen diff classes each
change, fetch + generate reflect it (CHANGES.md too), and payloads behave as classified.

Commands run in process (:func:`run_cli`); the fresh full regeneration and the validation probes of
the regenerated package run in fresh interpreters.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from destgen.writer import STATE_FILE, read_state
from destgen_emulator import EmulatorServer
from destgen_emulator.http.faults import FaultRule
from tests.conftest import ROOT, SLUGS, documented, run_cli, run_destgen

S3_TARGET = documented("03_target_connection__amazon_s3")
BLOB_TARGET = documented("03_target_connection__azure_blob")
S3_ROLE = documented("02_base_connection__amazon_s3_assumed_role")
S3_KEY = documented("02_base_connection__amazon_s3_access_key")
SFTP_TARGET = documented("03_target_connection__sftp")


def _edit(slug: str, change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        path = folder / f"{slug}.json"
        spec = json.loads(path.read_text())
        change(spec)
        path.write_text(json.dumps(spec, indent=2, ensure_ascii=False) + "\n")

    return apply


def _props(spec: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = spec["targetSpec"]["spec"]["properties"]
    return properties


def _require_region(spec: dict[str, Any]) -> None:
    _props(spec)["region"] = {"type": "string", "title": "Region"}
    spec["targetSpec"]["spec"]["required"].append("region")


CASES = {
    "new-enum-value": (
        "amazon_s3",
        _edit("amazon_s3", lambda s: _props(s)["compression"]["enum"].append("SNAPPY")),
        "target.compression",
        "additive",
        [
            ("target-connection", S3_TARGET, True),
            (
                "target-connection",
                S3_TARGET | {"params": S3_TARGET["params"] | {"compression": "SNAPPY"}},
                True,
            ),
        ],
    ),
    "new-required-param": (
        "azure_blob",
        _edit("azure_blob", _require_region),
        "target.region",
        "breaking",
        [
            ("target-connection", BLOB_TARGET, False),
            (
                "target-connection",
                BLOB_TARGET | {"params": BLOB_TARGET["params"] | {"region": "eu"}},
                True,
            ),
        ],
    ),
    "removed-auth-variant": (
        "amazon_s3",
        _edit("amazon_s3", lambda s: s.__setitem__("authSpec", s["authSpec"][:1])),
        "auth[Assumed Role]",
        "breaking",
        [("base-connection", S3_ROLE, False), ("base-connection", S3_KEY, True)],
    ),
    "changed-pattern": (
        "amazon_s3",
        _edit(
            "amazon_s3",
            lambda s: s["authSpec"][0]["spec"]["properties"]["s3AccessKey"].update(
                pattern="^AKIA[A-Z2-7]{16}$"
            ),
        ),
        "auth[Access Key].s3AccessKey",
        "breaking",
        [
            ("base-connection", S3_KEY, True),
            (
                "base-connection",
                {
                    **S3_KEY,
                    "auth": {
                        **S3_KEY["auth"],
                        "params": {
                            **S3_KEY["auth"]["params"],
                            "s3AccessKey": "ABCDEFGHIJKLMNOPQRST",
                        },
                    },
                },
                False,
            ),
        ],
    ),
    "description-only": (
        "sftp",
        _edit("sftp", lambda s: _props(s)["remotePath"].update(description="Where files land")),
        "target.remotePath",
        "cosmetic",
        [("target-connection", SFTP_TARGET, True)],
    ),
}


def _env(base_url: str) -> dict[str, str]:
    return dict(os.environ) | {
        "AEP_ACCESS_TOKEN": "t",
        "AEP_API_KEY": "k",
        "AEP_ORG_ID": "o@AdobeOrg",
        "AEP_BASE_URL": base_url,
    }


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture
def workspace(tmp_path: Path) -> dict[str, Path]:
    shutil.copytree(ROOT / "specs_cache", tmp_path / "cache")
    shutil.copytree(ROOT / "specs_cache", tmp_path / "live")
    shutil.copytree(
        ROOT / "generated", tmp_path / "generated", ignore=shutil.ignore_patterns("__pycache__")
    )
    return {
        "root": tmp_path,
        "cache": tmp_path / "cache",
        "live": tmp_path / "live",
        "out": tmp_path / "generated",
    }


def _verdicts(root: Path, payloads: list[tuple[str, dict[str, Any]]]) -> list[bool]:
    """Validate with the regenerated package (first on sys.path), all in one fresh interpreter."""
    probe = (
        "import json, sys; from destgen.cli.validate import validate_payload; "
        "print(json.dumps([validate_payload(k, None, p) == [] "
        "for k, p in json.loads(sys.stdin.read())]))"
    )
    env = dict(os.environ, PYTHONPATH=f"{root / 'generated'}{os.pathsep}{ROOT / 'generator'}")
    done = subprocess.run(
        [sys.executable, "-c", probe],
        input=json.dumps(payloads),
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    verdicts: list[bool] = json.loads(done.stdout)
    return verdicts


# Incremental output equals a fresh run: checked on the change that deletes a module. The other
# changes take the same path (a changed fingerprint re-renders that destination whole), and a full
# fresh generation per case would double the module's time.
FRESH_CHECKED = "removed-auth-variant"


@pytest.mark.parametrize("case", sorted(CASES), ids=sorted(CASES))
def test_spec_change_diffed_fetched_regenerated_and_enforced(
    workspace: dict[str, Path], case: str
) -> None:
    slug, modify, key, cls, payloads = CASES[case]
    modify(workspace["live"])
    diffed = run_cli("diff", str(workspace["cache"]), str(workspace["live"]), "--json")
    assert diffed.returncode == 0, diffed.stderr
    changes = json.loads(diffed.stdout)
    assert {(c["destination"], c["key"], c["cls"]) for c in changes if c["key"] == key} == {
        (slug, key, cls)
    }
    assert run_cli(
        "diff", str(workspace["cache"]), str(workspace["live"]), "--fail-on", "breaking"
    ).returncode == (3 if cls == "breaking" else 0)

    with EmulatorServer(specs=workspace["live"]) as server:
        fetched = run_cli("fetch", "--specs", str(workspace["cache"]), env=_env(server.base_url))
    assert fetched.returncode == 0, fetched.stderr
    assert f"changed   {slug}" in fetched.stdout
    assert f"{len(SLUGS) - 1} unchanged" in fetched.stdout
    assert (workspace["cache"] / f"{slug}.json").read_bytes() == (
        workspace["live"] / f"{slug}.json"
    ).read_bytes()
    manifest = json.loads((workspace["cache"] / "manifest.json").read_text())
    entry = next(e for e in manifest["destinations"] if e["slug"] == slug)
    assert entry["source"].endswith(f"/connectionSpecs/{entry['connection_spec_id']}")
    assert entry["fetched_at"].endswith("Z")

    generated = run_cli(
        "generate", "--specs", str(workspace["cache"]), "--out", str(workspace["out"])
    )
    assert generated.returncode == 0, generated.stderr
    assert f"(1 rendered, {len(SLUGS) - 1} unchanged)" in generated.stdout
    assert f"CHANGES.md entry for {slug}" in generated.stdout
    changes_md = (workspace["out"] / "CHANGES.md").read_text()
    assert f"{entry['fetched_at'][:10]} · {slug}" in changes_md
    assert f"| {cls} | `{key}` |" in changes_md

    if case == FRESH_CHECKED:
        fresh = workspace["root"] / "fresh"
        args = ("generate", "--force", "--quiet", "--specs", str(workspace["cache"]))
        assert run_destgen(*args, "--out", str(fresh)).returncode == 0
        owned = [*read_state(fresh)["files"], STATE_FILE]  # type: ignore[misc]
        for rel in owned:
            assert (fresh / rel).read_bytes() == (workspace["out"] / rel).read_bytes(), rel
    verdicts = _verdicts(workspace["root"], [(kind, payload) for kind, payload, _ in payloads])
    assert verdicts == [expected for _, _, expected in payloads], payloads


FAILURES = {
    "server-down": (None, None),
    "status-500": ([FaultRule(fault="500", path="/connectionSpecs/")], None),
    "non-json": ([FaultRule(fault="garbage", path="/connectionSpecs/c5d93acb")], None),
    "missing-targetSpec": (None, _edit("sftp", lambda s: s.pop("targetSpec"))),
}


@pytest.mark.parametrize("failure", sorted(FAILURES), ids=sorted(FAILURES))
def test_fetch_failure_leaves_cache_byte_identical(
    workspace: dict[str, Path], failure: str
) -> None:
    faults, corrupt = FAILURES[failure]
    _edit("amazon_s3", lambda s: _props(s)["compression"]["enum"].append("SNAPPY"))(
        workspace["live"]
    )
    if corrupt:
        corrupt(workspace["live"])
    before = _digest(workspace["cache"])
    if failure == "server-down":
        done = run_cli("fetch", "--specs", str(workspace["cache"]), env=_env("http://127.0.0.1:9"))
    else:
        with EmulatorServer(specs=workspace["live"], faults=faults) as server:
            done = run_cli("fetch", "--specs", str(workspace["cache"]), env=_env(server.base_url))
    assert done.returncode == 1, done.stdout
    assert "the cache was left as it was" in done.stderr
    assert "Traceback" not in done.stderr
    assert _digest(workspace["cache"]) == before


def test_unchanged_fetch_rewrites_nothing(workspace: dict[str, Path]) -> None:
    before = _digest(workspace["cache"])
    with EmulatorServer(specs=workspace["live"]) as server:
        done = run_cli("fetch", "--specs", str(workspace["cache"]), env=_env(server.base_url))
    assert done.returncode == 0
    assert f"0 changed, {len(SLUGS)} unchanged" in done.stdout
    assert _digest(workspace["cache"]) == before


def test_doctor_reports_same_and_changed(workspace: dict[str, Path]) -> None:
    with EmulatorServer(specs=workspace["cache"]) as server:
        same = run_cli("doctor", "--specs", str(workspace["cache"]), env=_env(server.base_url))
    assert same.returncode == 0, same.stdout + same.stderr
    assert re.search(r"^credentials +ok ", same.stdout, re.M)
    assert sum(line.split()[1:2] == ["same"] for line in same.stdout.splitlines()) == len(SLUGS)
    _edit("amazon_s3", lambda s: _props(s)["compression"]["enum"].append("SNAPPY"))(
        workspace["live"]
    )
    with EmulatorServer(specs=workspace["live"]) as server:
        changed = run_cli("doctor", "--specs", str(workspace["cache"]), env=_env(server.base_url))
    assert changed.returncode == 1
    assert "amazon_s3" in changed.stdout
    assert "changed" in changed.stdout
    assert "1 additive" in changed.stdout


def test_unknown_metadata_key_ignored_with_one_warning(workspace: dict[str, Path]) -> None:
    _edit("sftp", lambda s: _props(s)["remotePath"].update({"uiHint": {"placeholder": "/upload"}}))(
        workspace["cache"]
    )
    done = run_cli(
        "generate", "--check", "--specs", str(workspace["cache"]), "--out", str(workspace["out"])
    )
    # One warning line for every ignored key (Braze's own "name" on a property is the other).
    assert done.stderr.count("warning: ignored 2 unknown spec key(s)") == 1
    assert "sftp.json#/targetSpec/spec/properties/remotePath/uiHint" in done.stderr
    _edit("sftp", lambda s: _props(s)["remotePath"].update({"minItems": 1}))(workspace["cache"])
    bad = run_cli(
        "generate", "--check", "--specs", str(workspace["cache"]), "--out", str(workspace["out"])
    )
    assert bad.returncode == 2
    assert "remotePath/minItems: unsupported JSON Schema keyword" in bad.stderr


def test_diff_live_compares_with_the_served_specs(workspace: dict[str, Path]) -> None:
    _edit("google_cloud_storage", lambda s: _props(s)["compression"]["enum"].remove("GZIP"))(
        workspace["live"]
    )
    before = _digest(workspace["cache"])
    with EmulatorServer(specs=workspace["live"]) as server:
        done = run_cli(
            "diff",
            str(workspace["cache"]),
            "--live",
            "--fail-on",
            "breaking",
            env=_env(server.base_url),
        )
    assert done.returncode == 3, done.stdout + done.stderr
    assert "google_cloud_storage" in done.stdout
    assert "values removed: GZIP" in done.stdout
    assert _digest(workspace["cache"]) == before  # --live never touches the cache


def test_doctor_reports_bad_credentials(workspace: dict[str, Path]) -> None:
    from destgen_emulator.service.auth import AuthPolicy

    with EmulatorServer(
        specs=workspace["cache"], auth=AuthPolicy(token="the-only-token")
    ) as server:
        done = run_cli("doctor", "--specs", str(workspace["cache"]), env=_env(server.base_url))
    assert done.returncode == 1
    assert re.search(r"^credentials +FAIL ", done.stdout, re.M)
    assert "401013" in done.stdout
