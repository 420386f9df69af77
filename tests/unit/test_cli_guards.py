"""The CLI's outer guards, in process: a reader that leaves (broken pipe) and Ctrl-C end quietly
with their exit codes; the reference-docs writer writes, then checks, its pages.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

import destgen.cli
from destgen.cli import main, reference_docs


class _LeftReader(io.StringIO):
    """A stdout whose reader has gone: every write is a broken pipe; its fd is a scratch file."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd

    def write(self, _text: str) -> int:
        raise BrokenPipeError

    def fileno(self) -> int:
        return self._fd


def test_a_reader_that_leaves_ends_the_command_quietly() -> None:
    with tempfile.TemporaryFile() as scratch:
        err = io.StringIO()
        with redirect_stdout(_LeftReader(scratch.fileno())), redirect_stderr(err):
            assert main(["activation-schema"]) == 1
        assert err.getvalue() == ""  # no traceback, no message: as `cat` does
        # The stdout descriptor now points at the null device, so later writes go nowhere.
        assert os.path.samestat(os.fstat(scratch.fileno()), os.stat(os.devnull))


def test_ctrl_c_is_exit_130_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(_args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(destgen.cli, "_dispatch", interrupted)
    err = io.StringIO()
    with redirect_stderr(err):
        assert main(["destinations"]) == 130
    assert err.getvalue().startswith("destgen: interrupted; re-running the same command is safe")


def test_reference_pages_written_then_checked(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        assert reference_docs.main(["--check", "--docs", str(tmp_path)]) == 1
        assert reference_docs.main(["--docs", str(tmp_path)]) == 0
        assert reference_docs.main(["--check", "--docs", str(tmp_path)]) == 0
    pages = sorted(reference_docs.PAGES)
    assert sorted(p.name for p in tmp_path.iterdir()) == pages
    assert err.getvalue().count("is stale: run `make docs`") == len(pages)
    assert out.getvalue().count("wrote ") == len(pages)
    assert os.path.getsize(tmp_path / pages[0]) > 0


def test_the_examples_page_lists_every_secret_the_demo_sets() -> None:
    """docs/examples.md names each example's secret variables; the demo sets every one of them."""
    from destgen.cli.demo import demo_secrets
    from destgen.resources import examples_dir

    page = reference_docs.examples_reference()
    examples = [p for p in examples_dir().iterdir() if p.suffix in (".json", ".yaml", ".yml")]
    assert all(f"`{p.name}`" in page for p in examples)
    named = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", page))
    assert named
    assert named <= set(demo_secrets()), named - set(demo_secrets())


def test_doctor_columns_stay_aligned_at_long_slugs() -> None:
    from destgen.cli.spec_commands import doctor_lines

    checks = [
        {"name": "credentials", "status": "ok", "detail": "accepted"},
        {"name": "spec salesforce_marketing_cloud_very_long", "status": "changed", "detail": "x"},
    ]
    lines = doctor_lines(checks)
    assert lines[0].index("ok") == lines[1].index("changed")
    assert lines[0].index("accepted") == lines[1].index("x")


def test_the_readme_command_table_is_generated_from_the_table_of_commands(tmp_path: Path) -> None:
    from destgen.cli.commands import COMMANDS
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text()
    for name in COMMANDS:
        assert f"| `destgen {name}` |" in readme, name
    docs = tmp_path / "docs"
    docs.mkdir()
    for page in reference_docs.PAGES:
        (docs / page).write_text((ROOT / "docs" / page).read_text())
    (tmp_path / "README.md").write_text(readme.replace("| `destgen demo` |", "| `destgen dem0` |"))
    assert reference_docs.stale_pages(docs) == ["../README.md"]
    assert reference_docs.main(["--docs", str(docs)]) == 0
    assert reference_docs.stale_pages(docs) == []


def test_every_json_report_goes_through_the_one_writer() -> None:
    """Reports open with their format_version; only documents that are something else (an
    exported activation file, the activation JSON Schema, destinations' list) print themselves.
    """
    import io

    from destgen.cli.json_output import FORMAT_VERSION, print_report
    from tests.conftest import ROOT

    out = io.StringIO()
    print_report({"files": []}, out)
    assert list(json.loads(out.getvalue())) == ["format_version", "files"]
    assert json.loads(out.getvalue())["format_version"] == FORMAT_VERSION
    allowed = {"json_output.py": 1, "export.py": 1, "activate.py": 1, "destinations.py": 1}
    for module in sorted((ROOT / "generator" / "destgen" / "cli").glob("*.py")):
        count = module.read_text().count("print(json.dumps(") + module.read_text().count(
            'json.dumps({"format_version"'
        )
        assert count <= allowed.get(module.name, 0), module.name
