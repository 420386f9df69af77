"""A seventh connection spec needs no code edit: added to a copy of the spec cache, it generates,
validates and activates against the emulator, through the same CLI the six use.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from destgen.cli.demo import demo_secrets
from destgen_emulator import EmulatorServer
from tests.conftest import ROOT, run_destgen

SLUG = "acme_blob"
SPEC_ID = "0d5f3a3c-7e49-4f1e-9d0a-2b6c8e4f1a77"
FLOW_SPEC_ID = "5b7e2d1c-3a4f-4c6b-8e9d-0f1a2b3c4d5e"


@pytest.fixture(scope="module")
def seventh(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A spec cache with an Azure-Blob-like seventh destination, and the library generated
    from it.
    """
    root = tmp_path_factory.mktemp("seventh")
    specs = root / "specs"
    shutil.copytree(ROOT / "specs_cache", specs)
    spec = json.loads((specs / "azure_blob.json").read_text())
    spec |= {"id": SPEC_ID, "name": "Acme Blob"}
    (specs / f"{SLUG}.json").write_text(json.dumps(spec, indent=2) + "\n")
    manifest = json.loads((specs / "manifest.json").read_text())
    entry = dict(manifest["destinations"][0])
    entry |= {
        "slug": SLUG,
        "connection_spec_id": SPEC_ID,
        "name": "Acme Blob",
        "audience_flow_spec_id": FLOW_SPEC_ID,
    }
    manifest["destinations"].append(entry)
    (specs / "manifest.json").write_text(json.dumps(manifest, indent=2))
    out = root / "library"
    done = run_destgen("generate", "--quiet", "--specs", str(specs), "--out", str(out))
    assert done.returncode == 0, done.stderr
    return {"root": root, "specs": specs, "library": out}


def _env(seventh: dict[str, Path], **extra: str) -> dict[str, str]:
    # The regenerated library first on the path: the tool imports it instead of the checkout's.
    path = os.pathsep.join([str(seventh["library"]), str(ROOT / "generator")])
    return dict(os.environ) | {"PYTHONPATH": path} | extra


def test_seventh_destination_is_listed_and_validated(seventh: dict[str, Path]) -> None:
    listed = run_destgen("destinations", "--json", env=_env(seventh))
    assert listed.returncode == 0, listed.stderr
    assert SLUG in {d["slug"] for d in json.loads(listed.stdout)}
    payload: dict[str, Any] = {
        "name": "Acme target",
        "baseConnectionId": "6b5c4d3e-2f1a-4b0c-9d8e-7f6a5b4c3d2e",
        "connectionSpec": {"id": SPEC_ID, "version": "1.0"},
        "params": {
            "container": "acme-exports",
            "path": "p",
            "fileType": "CSV",
            "compression": "GZIP",
        },
    }
    path = seventh["root"] / "target.json"
    path.write_text(json.dumps(payload))
    done = run_destgen("validate", "--kind", "target-connection", str(path), env=_env(seventh))
    assert done.returncode == 0, done.stdout
    payload["params"]["bucketName"] = "not-a-blob-param"
    path.write_text(json.dumps(payload))
    bad = run_destgen("validate", "--kind", "target-connection", str(path), env=_env(seventh))
    assert bad.returncode == 1
    assert "$.params.bucketName" in bad.stdout


def test_seventh_destination_activates_against_the_emulator(seventh: dict[str, Path]) -> None:
    doc = json.loads((ROOT / "examples" / "azure_blob.json").read_text())
    doc["destination"] = SLUG
    activation = seventh["root"] / "activation.json"
    activation.write_text(json.dumps(doc))
    with EmulatorServer(specs=seventh["specs"]) as server:
        credentials = {"AEP_ACCESS_TOKEN": "t", "AEP_API_KEY": "k", "AEP_ORG_ID": "O@AdobeOrg"}
        credentials["AEP_SANDBOX_NAME"] = "prod"
        env = _env(seventh, AEP_BASE_URL=server.base_url, **credentials, **demo_secrets())
        done = run_destgen("activate", "--json", str(activation), env=env)
        assert done.returncode == 0, done.stderr
        steps = {s["entity"]: s for s in json.loads(done.stdout)["steps"]}
        flow = server.state.store.get("flows", steps["dataflow"]["id"])
    assert flow["flowSpec"]["id"] == FLOW_SPEC_ID
    target = steps["target connection"]["id"]
    assert flow["targetConnectionIds"] == [target]
