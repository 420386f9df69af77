"""Files destgen writes: regenerated files keep the mode a plain write gives (not mkstemp's 0600),
an existing file keeps its own; the emulator's state file cannot be redirected by a symlink planted
at a temp name, and stays private; a generate killed while switching files leaves a package that
refuses to import until the next run has repaired it.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from destgen.writer import atomic_write_text, write_all_or_nothing
from destgen_emulator.service.store import Store


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_files_get_the_umask_mode_and_existing_files_keep_theirs(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        new = tmp_path / "new.py"
        atomic_write_text(new, "x = 1\n")
        assert _mode(new) == 0o644
        kept = tmp_path / "kept.py"
        kept.write_text("old\n")
        kept.chmod(0o640)
        write_all_or_nothing({kept: "new\n", tmp_path / "other.py": "y = 2\n"})
        assert kept.read_text() == "new\n"
        assert _mode(kept) == 0o640
        assert _mode(tmp_path / "other.py") == 0o644
    finally:
        os.umask(old)
    assert not list(tmp_path.glob(".*.tmp"))


def test_state_file_ignores_a_planted_symlink_and_stays_private(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("not the emulator's")
    state = tmp_path / "state.json"
    (tmp_path / ".state.json.tmp").symlink_to(victim)  # the old, predictable temp name
    store = Store()
    store.create("flows", {"name": "f"}, {"sandboxName": "prod"})
    store.save(state)
    assert victim.read_text() == "not the emulator's"
    assert not state.is_symlink()
    assert _mode(state) == 0o600
    again = Store()
    again.load(state)
    assert [e["name"] for e in again.all("flows")] == ["f"]


def test_an_interrupted_switch_is_refused_at_import_and_repaired_by_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from destgen import writer
    from tests.conftest import ROOT, run_cli

    specs, out = tmp_path / "specs", tmp_path / "generated"
    shutil.copytree(ROOT / "specs_cache", specs)
    shutil.copytree(ROOT / "generated", out, ignore=shutil.ignore_patterns("__pycache__"))
    for path in (out / "destgen_destinations").rglob("spec.py"):
        path.write_text("# stale\n")  # six files to switch back
    renames = [0]
    real_replace = os.replace

    def killed_midway(src: str | Path, dst: str | Path) -> None:
        renames[0] += 1
        if renames[0] == 4:  # the marker, then two files: then the process "dies"
            raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", killed_midway)
    with pytest.raises(KeyboardInterrupt):
        writer.write_tree(
            out,
            {
                f"destgen_destinations/{s}/spec.py": (
                    ROOT / "generated" / "destgen_destinations" / s / "spec.py"
                ).read_text()
                for s in ("adls_gen2", "amazon_s3", "sftp")
            },
            set(),
            check=False,
        )
    monkeypatch.undo()
    marker = out / "destgen_destinations" / writer.INCOMPLETE_MARKER
    assert marker.exists()
    probe = "import destgen_destinations"
    env = dict(os.environ, PYTHONPATH=str(out))
    refused = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=False
    )
    assert refused.returncode == 1
    assert "half written (an interrupted `destgen generate`)" in refused.stderr
    repaired = run_cli("generate", "--specs", str(specs), "--out", str(out))
    assert repaired.returncode == 0, repaired.stderr
    assert not marker.exists()
    ok = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0, ok.stderr
