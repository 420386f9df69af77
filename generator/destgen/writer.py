"""Writes generated/ atomically and only what changed; in check mode it writes nothing and reports.

It deletes only files that an earlier run recorded as its own in the state file.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from destgen.errors import GeneratorError
from destgen.layout import LIBRARY_PACKAGE

STATE_FILE = ".destgen-state.json"
# Present inside the library package only while a write is switching files (see write_tree).
INCOMPLETE_MARKER = ".destgen-incomplete"


@dataclass
class WriteReport:
    """What a write did (or, in check mode, would do), as paths relative to the output root."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    @property
    def changed(self) -> list[str]:
        """Every path created, updated or deleted, sorted."""
        return sorted(self.created + self.updated + self.deleted)


def read_state(root: Path) -> dict[str, object]:
    """The state file of an earlier run, or an empty state when it is missing or unreadable.

    The state is untrusted (committed, rarely reviewed): a recorded path that would resolve outside
    ``root`` stops the run here, before anything is read, written or deleted.
    """
    try:
        state = json.loads((root / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(state, dict):
        return {}
    files = state.get("files")
    for rel in files if isinstance(files, dict) else ():
        inside(root, rel, f"{root / STATE_FILE}")
    return state


def inside(root: Path, rel: object, source: str) -> Path:
    """``root / rel`` if it stays inside ``root``: no absolute path, no ``..``, no symlink out."""
    where = f"/files/{str(rel).replace('~', '~0').replace('/', '~1')}"
    if not isinstance(rel, str) or not rel or "\0" in rel:
        raise GeneratorError(source, where, "not a relative file path")
    path = Path(rel)
    if path.is_absolute() or ".." in path.parts:
        raise GeneratorError(source, where, "path escapes the output folder")
    target = root / path
    if not target.resolve().is_relative_to(root.resolve()):
        raise GeneratorError(source, where, "path resolves outside the output folder")
    return target


def owned_files(state: Mapping[str, object]) -> set[str]:
    """The files a state file records as generated (and so safe to rewrite or delete)."""
    files = state.get("files")
    return set(files) if isinstance(files, dict) else set()


def write_tree(
    root: Path,
    files: Mapping[str, str],
    stale: set[str],
    *,
    check: bool,
) -> WriteReport:
    """Make ``root`` hold ``files`` and not ``stale``; unchanged files are not touched."""
    report = WriteReport()
    pending: list[tuple[Path, str]] = []
    for rel in sorted(files):
        target = root / rel
        try:
            current = target.read_text(encoding="utf-8")
        except FileNotFoundError:
            report.created.append(rel)
            pending.append((target, files[rel]))
            continue
        if current != files[rel]:
            report.updated.append(rel)
            pending.append((target, files[rel]))
    report.deleted = sorted(rel for rel in stale if rel not in files and (root / rel).exists())
    if check:
        return report
    # Every new file is complete on disk before the first rename: a crash leaves old or new files,
    # never a half-written one. Between the first rename and the last, the package carries a
    # marker its __init__ refuses to import past: a kill there cannot leave a mixed tree that
    # imports (the next run re-renders whatever does not match the state file).
    staged = [(_stage(target, text), target) for target, text in pending]
    marker = root / LIBRARY_PACKAGE / INCOMPLETE_MARKER
    if staged or report.deleted:
        marker.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(marker, "destgen generate was interrupted here: run it again\n")
    for temp, target in staged:
        os.replace(temp, target)
    for rel in report.deleted:
        (root / rel).unlink()
    marker.unlink(missing_ok=True)
    return report


def write_all_or_nothing(files: Mapping[Path, str]) -> None:
    """Stage every file first, then rename them all: an error before the renames changes nothing."""
    staged: list[tuple[Path, Path]] = []
    try:
        # Appended one by one: when staging fails midway, the ones already staged are cleaned up.
        for target, text in files.items():
            staged.append((_stage(target, text), target))
    except OSError:
        for temp, _target in staged:
            temp.unlink(missing_ok=True)
        raise
    for temp, target in staged:
        os.replace(temp, target)


def atomic_write_text(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` through a temp file and a rename."""
    os.replace(_stage(target, text), target)


def _stage(target: Path, text: str) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    # mkstemp creates 0600; the file replacing ``target`` gets what a plain write would give it.
    os.fchmod(fd, _mode_for(target))
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    return Path(name)


def _mode_for(target: Path) -> int:
    """The existing file's permission bits, or 0666 less the umask for a new file."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
