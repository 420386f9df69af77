"""Rendered files written under a delivery folder: ``DIR/<sandbox>/<destination>/<location>/``,
each through a temp file and a rename, never outside ``DIR`` whatever a name or path says.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from destgen_emulator.delivery.names import safe_part
from destgen_emulator.delivery.render import RenderedFile


class OutsideDelivery(ValueError):
    """A file would land outside the delivery folder (a name the renderer let through)."""


def deliver(root: Path, sandbox: str, slug: str, files: list[RenderedFile]) -> list[Path]:
    """Write ``files``; return their paths. Each appears whole or not at all."""
    base = root.resolve() / safe_part(sandbox) / safe_part(slug)
    written = []
    for file in files:
        folder = base.joinpath(*file.folder)
        target = folder / file.name
        if not target.resolve().is_relative_to(root.resolve()):
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
