"""Files destgen writes: regenerated files keep the mode a plain write gives (not mkstemp's 0600),
an existing file keeps its own; the emulator's state file cannot be redirected by a symlink planted
at a temp name, and stays private.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from destgen.writer import atomic_write_text, write_all_or_nothing
from destgen_emulator.store import Store


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
