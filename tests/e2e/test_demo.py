"""``destgen demo``, the main job, in process: every example activation against a fresh emulator,
then a day of runs; a broken example stops it with the file named and exit 1.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from destgen.cli.demo import demo_secrets, run_demo
from destgen.resources import examples_dir


@pytest.fixture(autouse=True)
def _no_demo_secrets_left(monkeypatch: pytest.MonkeyPatch) -> None:
    # The demo sets its made-up secrets with setdefault; monkeypatch removes them afterwards.
    for name in demo_secrets():
        monkeypatch.delenv(name, raising=False)


def test_demo_activates_every_example_and_shows_runs(capsys: pytest.CaptureFixture[str]) -> None:
    examples = sorted(p.name for p in examples_dir().iterdir())
    assert run_demo(examples_dir()) == 0
    out, err = capsys.readouterr()
    assert f"{len(examples)} activations against a local emulator" in err
    for name in examples:
        assert f"== {name}" in err
        assert f"{name} (" in out
    assert "runs after 24 h" in out
    used = [os.environ[name] for name in demo_secrets()]  # the values this run made and sent
    assert all(len(value) >= 16 for value in used)
    for value in used:
        assert value not in out + err


def test_demo_stops_at_a_broken_example(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(examples_dir() / "amazon_s3.json", tmp_path / "a.json")
    (tmp_path / "b.json").write_text('{"destination": "amazon_s3"}')
    assert run_demo(tmp_path) == 1
    err = capsys.readouterr().err
    assert f"destgen demo: {tmp_path / 'b.json'}:" in err
