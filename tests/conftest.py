"""Shared fixtures: the project root, the documented examples, and a CLI runner.

Fixtures only locate and run things; assertions live in the tests.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from destgen_destinations import DESTINATIONS, registry

# Loads the Hypothesis profile: fixed examples, or `make fuzz`'s deeper random ones.
from tests import fuzz_depth  # noqa: F401

# tests/clients needs aepp, installed only by `make test-clients`, which runs that folder alone
# (without this file).
collect_ignore = ["clients"]

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTED = ROOT / "tests" / "examples" / "documented"
# The generated package's own list: tests follow what the library was generated for.
SLUGS = DESTINATIONS
# The six whose every request and response Adobe documents (tests/examples/documented/); the
# others came from real specs alone (specs_cache/manifest.json names their source).
DOCUMENTED_SLUGS = (
    "adls_gen2",
    "amazon_s3",
    "azure_blob",
    "data_landing_zone",
    "google_cloud_storage",
    "sftp",
)
# Those whose spec declares the dataset export workflow too.
DATASET_SLUGS = tuple(s for s in SLUGS if registry.destination(s).spec.DATASET_FLOW_SPEC_ID)
_EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if p.suffix in (".json", ".yaml"))
# One audience and one dataset activation per destination ship in examples/; "_datasets" names
# the second workflow's files.
DATASET_EXAMPLES = [p for p in _EXAMPLES if p.stem.endswith("_datasets")]
AUDIENCE_EXAMPLES = [p for p in _EXAMPLES if p not in DATASET_EXAMPLES]


def daily_selector(audience_id: str) -> Any:
    """A minimal valid audience selector (daily full export) for tests that add audiences."""
    from destgen_runtime.payloads.audiences import audience

    return audience(
        id=audience_id,
        filename_template="%SEGMENT_ID%",
        export_mode="DAILY_FULL_EXPORT",
        frequency="DAILY",
        trigger_type="AFTER_SEGMENT_EVAL",
        start_date="2026-12-01",
    )


def documented(name: str) -> Any:
    """A documented request body (placeholders already replaced by valid values)."""
    return json.loads((DOCUMENTED / f"{name}.json").read_text())


def run_destgen(
    *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m destgen ARGS`` in a fresh interpreter, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "destgen", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``destgen ARGS`` in this process: the same parsing, messages and exit code as
    :func:`run_destgen` without an interpreter start. For commands that render one destination
    at most (a full render forks workers, which a test process with threads should not do) and
    for refusals; each test file keeps at least one real :func:`run_destgen` run.
    """
    from destgen.cli import main

    out, err = io.StringIO(), io.StringIO()
    # Like a subprocess's env: when given, it is the whole environment for the call.
    environment = mock.patch.dict(os.environ, env or {}, clear=env is not None)
    with environment, redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse errors exit 2, as the real command does
            code = exc.code if isinstance(exc.code, int) else 2
    return subprocess.CompletedProcess(["destgen", *args], code, out.getvalue(), err.getvalue())


@pytest.fixture
def root() -> Path:
    return ROOT
