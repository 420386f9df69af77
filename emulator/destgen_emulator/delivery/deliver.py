"""Rendered files written under a delivery folder: ``DIR/<org>/<sandbox>/<destination>/
<location>/`` (``destgen preview --out``: ``DIR/preview/<destination>/...``), each through a temp
file and a rename, never outside ``DIR`` whatever a name, a path or a planted link says.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from destgen_emulator.delivery.names import safe_part
from destgen_emulator.delivery.render import RenderedFile


class OutsideDelivery(ValueError):
    """A file would land outside the delivery folder (a name the renderer let through)."""


def delivery_base(root: Path, place: tuple[str, ...], slug: str) -> Path:
    """Where one destination's files land: ``root/<place...>/<slug>`` (the place: the org and
    the sandbox), each part a plain folder name. Every tenant has its own.
    """
    return root.resolve().joinpath(*(safe_part(part) for part in place), safe_part(slug))


def inside(path: Path, root: Path) -> bool:
    """True when ``path``, every link followed, is still within ``root``."""
    return path.resolve().is_relative_to(root.resolve())


def deliver(root: Path, place: tuple[str, ...], slug: str, files: list[RenderedFile]) -> list[Path]:
    """Write ``files``; return their paths. Each appears whole or not at all."""
    base = delivery_base(root, place, slug)
    written = []
    for file in files:
        folder = base.joinpath(*file.folder)
        target = folder / file.name
        if not inside(target, root):
            raise OutsideDelivery(f"{target} is outside {root}")
        folder.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".delivering-", dir=folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(file.data)
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        written.append(target)
    return written
