"""docs/ci.md's workflow as written: every ``run:`` line of its jobs, in order, through bash,
against the emulator on 127.0.0.1, as the pull request and the merge would run them.

Only ``pipx install`` lines are left out (the tool is installed already) and the ``uses:``
steps, which move files a shared folder already holds (checkout, artifacts).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from destgen_runtime.api import operations as ops
from destgen_runtime.transport.client import FlowServiceClient
from destgen_runtime.transport.credentials import Identity, StaticToken

from destgen.cli.demo import demo_secrets
from destgen_emulator import EmulatorServer
from tests.conftest import ROOT

ORG = "CIRECIPE@AdobeOrg"
PAGE = ROOT / "docs" / "ci.md"


def workflow() -> dict[str, Any]:
    """The page's one workflow file."""
    (block,) = re.findall(r"^```yaml no-run\n(.*?)^```$", PAGE.read_text(), re.M | re.S)
    found: dict[str, Any] = yaml.safe_load(block)
    return found


def jobs_for(event: str) -> list[str]:
    """The jobs an event runs, in order: those whose ``if`` names it, then those that need them."""
    jobs = workflow()["jobs"]
    chosen = [n for n, j in jobs.items() if f"github.event_name == '{event}'" in j.get("if", "")]
    chosen += [n for n, j in jobs.items() if j.get("needs") in chosen]
    return chosen


def run_event(
    event: str, folder: Path, env: dict[str, str]
) -> list[subprocess.CompletedProcess[str]]:
    """Every ``run:`` of the event's jobs, in order, as the CI runner's bash would; stops at the
    first failure, as a job does.
    """
    done = []
    for job in jobs_for(event):
        for step in workflow()["jobs"][job]["steps"]:
            command = step.get("run")
            if command is None or command.startswith("pipx install"):
                continue
            ran = subprocess.run(
                ["bash", "-e", "-c", command],
                cwd=folder,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            done.append(ran)
            assert ran.returncode == 0, f"{job}: {command}\n{ran.stdout}\n{ran.stderr}"
    return done


def _selected(server: EmulatorServer, name: str) -> list[str]:
    identity = Identity(StaticToken("t"), "k", ORG, "prod")
    with FlowServiceClient(base_url=server.base_url, identity=identity) as client:
        (flow,) = client.run(ops.find_by_name("flows", name)).items
    selectors = flow.data["transformations"][0]["params"]["segmentSelectors"]["selectors"]
    return [s["value"]["id"] for s in selectors]


@pytest.mark.timeout(300)
def test_the_documented_recipe_reviews_on_the_pull_request_what_the_merge_applies(
    tmp_path: Path,
) -> None:
    doc = json.loads((ROOT / "examples" / "amazon_s3.json").read_text())
    doc.pop("mappings")  # Data Prep calls each run, and nothing this recipe is about
    folder = tmp_path / "destinations"
    folder.mkdir()
    (folder / "s3.json").write_text(json.dumps(doc, indent=2) + "\n")  # as fmt lays it out
    dropped = doc["audiences"][-1]["id"]
    with EmulatorServer() as server:
        declared = workflow()["env"]
        # The CI system's secrets, as its env block names them; the sandbox as written.
        values = {"AEP_BASE_URL": server.base_url, "AEP_ORG_ID": ORG} | demo_secrets()
        values |= {"AEP_ACCESS_TOKEN": "t", "AEP_API_KEY": "k"}
        env = {name: values[name] for name in declared if name in values}
        env |= {k: v for k, v in declared.items() if "${{" not in str(v)}
        env |= {"AEP_ACCESS_TOKEN": "t", "AEP_BASE_URL": server.base_url}
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
        env["HOME"] = str(tmp_path)
        assert env["AEP_SANDBOX_NAME"] == "prod"

        run_event("push", tmp_path, env)  # the first merge: the whole chain
        assert dropped in _selected(server, doc["dataflow"]["name"])

        doc["audiences"].pop()
        (folder / "s3.json").write_text(json.dumps(doc, indent=2) + "\n")  # as fmt lays it out
        formatted, review = run_event("pull_request", tmp_path, env)
        assert formatted.stdout == "", "the file is in the canonical layout"
        assert f"- audience {dropped}" in review.stdout, "the pull request shows the removal"
        assert review.stderr.startswith(f"destgen plan: org {ORG}, sandbox prod, ")

        plan, apply = run_event("push", tmp_path, env)
        assert f"- audience {dropped}" in plan.stdout
        assert apply.stderr.startswith(f"destgen apply: org {ORG}, sandbox prod, ")
        assert dropped not in _selected(server, doc["dataflow"]["name"])

        # Nothing left to do: the next merge plans and applies nothing.
        plan, apply = run_event("push", tmp_path, env)
        assert "the saved plan has nothing to do" in apply.stderr
