"""``destgen new``: for every destination of the library and every workflow it supports, a
commented activation file that validates as written (placeholders included), naming each secret
variable it reads; a wrong destination or workflow is exit 2, and --out never replaces a file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from destgen_destinations import registry
from tests.conftest import run_cli


def _cases() -> list[tuple[str, str]]:
    cases = []
    for slug in registry.SLUGS:
        spec = registry.destination(slug).spec
        if spec.STREAMING:
            cases.append((slug, "stream"))
            continue
        cases.append((slug, "audiences"))
        if spec.DATASET_FLOW_SPEC_ID is not None:
            cases.append((slug, "datasets"))
    return cases


@pytest.mark.parametrize(("slug", "workflow"), _cases(), ids=lambda v: str(v))
def test_a_new_file_validates_as_written(slug: str, workflow: str, tmp_path: Path) -> None:
    made = run_cli("new", slug, "--workflow", workflow)
    assert made.returncode == 0, made.stderr
    doc = yaml.safe_load(made.stdout)
    assert doc["destination"] == slug
    assert made.stdout.startswith("# "), "commented: what to replace and how"
    for name in _variables(doc):
        assert name in made.stdout.splitlines()[3], f"{name} is named in the header"
    path = tmp_path / f"{slug}.yaml"
    path.write_text(made.stdout)
    checked = run_cli("validate", str(path))
    assert checked.returncode == 0, checked.stdout
    assert "warning" not in checked.stdout, "no six-month stop, no stray macro"


def _variables(node: object) -> list[str]:
    if isinstance(node, dict):
        if set(node) == {"env"}:
            return [str(node["env"])]
        return [v for value in node.values() for v in _variables(value)]
    if isinstance(node, list):
        return [v for value in node for v in _variables(value)]
    return []


def test_a_wrong_destination_or_workflow_is_exit_2(tmp_path: Path) -> None:
    unknown = run_cli("new", "amazon_s4")
    assert unknown.returncode == 2
    assert "no destination 'amazon_s4' in this library; did you mean 'amazon_s3'?" in (
        unknown.stderr
    )
    streaming = run_cli("new", "braze", "--workflow", "audiences")
    assert streaming.returncode == 2
    assert "exports streamed audiences, not audiences: use --workflow stream" in streaming.stderr
    no_datasets = run_cli("new", "amazon_s3_legacy", "--workflow", "datasets")
    assert no_datasets.returncode == 2
    assert "exports audience files, not datasets: use --workflow audiences" in no_datasets.stderr
    out = tmp_path / "mine.yaml"
    out.write_text("keep me")
    kept = run_cli("new", "sftp", "--out", str(out))
    assert kept.returncode == 2
    assert out.read_text() == "keep me"
