"""``destgen fmt``: one canonical layout, content and comments untouched, a check mode for CI,
and a file that does not parse named and left as it was.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli, run_destgen

MESSY_JSON = '{"destination": "braze", "dataflow": {"name": "Ünïcode flow"},\n "audiences": []}'
MESSY_YAML = """\
# Acme's Braze export: reviewed by the data team.
destination: braze   # the slug
dataflow:
    name: "Acme flow"    # quoted as written
audiences:
    -   id: 2d79d0d8-724f-49fc-a09d-d1dec338c93c
        name: Winter campaign
"""
TIDY_YAML = """\
# Acme's Braze export: reviewed by the data team.
destination: braze   # the slug
dataflow:
  name: "Acme flow"      # quoted as written
audiences:
- id: 2d79d0d8-724f-49fc-a09d-d1dec338c93c
  name: Winter campaign
"""


def test_the_layout_changes_and_nothing_else(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(MESSY_JSON, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(MESSY_YAML)
    checked = run_cli("fmt", "--check", str(tmp_path))
    assert checked.returncode == 3, checked.stderr
    assert checked.stdout.split() == [str(tmp_path / "a.json"), str(tmp_path / "b.yaml")]
    assert (tmp_path / "b.yaml").read_text() == MESSY_YAML, "--check writes nothing"

    done = run_cli("fmt", str(tmp_path))
    assert done.returncode == 0, done.stderr
    tidy = (tmp_path / "a.json").read_text(encoding="utf-8")
    assert json.loads(tidy) == json.loads(MESSY_JSON)
    assert tidy.startswith('{\n  "destination": "braze",\n  "dataflow": {\n    "name": "Ünïcode')
    assert tidy.endswith("}\n")
    # Comments, key order and quoting kept; only indentation moved.
    assert (tmp_path / "b.yaml").read_text() == TIDY_YAML
    again = run_cli("fmt", "--check", str(tmp_path))
    assert (again.returncode, again.stdout) == (0, ""), "formatting is idempotent"


def test_the_diff_shows_what_would_change(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text(MESSY_YAML)
    shown = run_cli("fmt", "--check", "--diff", str(tmp_path / "b.yaml"))
    assert shown.returncode == 3
    assert '-    name: "Acme flow"    # quoted as written\n' in shown.stdout
    # An end-of-line comment keeps its column.
    assert '+  name: "Acme flow"      # quoted as written\n' in shown.stdout


@pytest.mark.parametrize(
    ("name", "text", "said"),
    [
        ("bad.json", '{"destination": ', "bad.json: not valid JSON: Expecting value"),
        ("bomb.yaml", "a: &x [1]\nb: *x\n", "aliases (*name) are not allowed"),
        ("tag.yaml", "a: !!python/object:os.system {}\n", "could not determine a constructor"),
    ],
    ids=["json", "alias", "tag"],
)
def test_a_file_that_does_not_parse_is_named_and_untouched(
    tmp_path: Path, name: str, text: str, said: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    (tmp_path / "ok.json").write_text(MESSY_JSON)
    # Named, a file that does not parse is refused with its reason; the others still go.
    result = run_cli("fmt", str(path), str(tmp_path / "ok.json"))
    assert result.returncode == 1
    assert said in result.stderr
    assert f"destgen fmt: {path}: not valid" in result.stderr
    assert path.read_text() == text
    assert (tmp_path / "ok.json").read_text() != MESSY_JSON, "the other files are formatted"


def test_stdin_and_missing_paths(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "destgen", "fmt", "-"]
    piped = subprocess.run(
        command, input=MESSY_YAML, capture_output=True, text=True, timeout=60, check=False
    )
    assert (piped.returncode, piped.stdout) == (0, TIDY_YAML), piped.stderr
    broken = subprocess.run(
        command, input="a: [", capture_output=True, text=True, timeout=60, check=False
    )
    assert broken.returncode == 1
    assert "destgen fmt: -: not valid YAML" in broken.stderr
    missing = run_cli("fmt", str(tmp_path / "nowhere"))
    assert missing.returncode == 2
    assert "nowhere: no such file or folder" in missing.stderr


def test_the_shipped_examples_and_new_files_are_formatted(tmp_path: Path) -> None:
    assert run_cli("fmt", "--check", str(ROOT / "examples")).returncode == 0
    for destination in ("amazon_s3", "braze"):
        out = tmp_path / f"{destination}.yaml"
        assert run_cli("new", destination, "--out", str(out)).returncode == 0
        checked = run_cli("fmt", "--check", str(out))
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_folder_walk_touches_activation_files_only(tmp_path: Path) -> None:
    # `destgen fmt .` in a repository: its other JSON and YAML, hidden and vendored folders and
    # a saved plan are left exactly as they are.
    (tmp_path / "destinations").mkdir()
    (tmp_path / "destinations" / "braze.json").write_text(MESSY_JSON, encoding="utf-8")
    others = {
        "package.json": '{"name": "app",  "version": "1.0.0"}',
        "tsconfig.json": '{\n  // comments: not JSON\n  "strict": true}',
        ".github/workflows/ci.yml": "on:   push\njobs: {}\n",
        ".venv/lib/destination.json": '{"destination":   "braze"}',
        "node_modules/x/a.json": '{"destination":   "braze"}',
        "destinations/plan.json": '{"destgenPlan": 2,   "destination": "x"}',
    }
    for name, text in others.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    done = run_cli("fmt", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(tmp_path / "destinations" / "braze.json")]
    for name, text in others.items():
        assert (tmp_path / name).read_text() == text, name


def test_no_path_means_the_projects_activation_files(tmp_path: Path) -> None:
    outside = run_destgen("fmt", cwd=tmp_path)
    assert outside.returncode == 2
    assert "give FILE or DIR, or run it inside a destgen project" in outside.stderr
    (tmp_path / "destgen.toml").write_text('activations = ["destinations"]\n')
    (tmp_path / "destinations").mkdir()
    (tmp_path / "destinations" / "braze.json").write_text(MESSY_JSON, encoding="utf-8")
    inside = run_destgen("fmt", "--check", cwd=tmp_path)
    assert inside.returncode == 3, inside.stderr
    assert "braze.json" in inside.stdout
