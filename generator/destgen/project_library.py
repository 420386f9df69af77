"""The library a command uses: the project's own generated library when the command runs inside a
project, else the one bundled with destgen.

The project's library is put first on ``sys.path`` before anything imports
``destgen_destinations``, so ``validate``, ``plan``, ``apply``, ``preview`` and ``export`` judge
payloads by the project's specs. It stands on this destgen's runtime (``destgen_runtime``), so it
must have been generated for this runtime version (its state file says which); a library
generated for another is refused with the command that fixes it, never half-used. The library is
code the project generated, trusted as the project's own code is.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from destgen.errors import GeneratorError
from destgen.layout import LIBRARY_PACKAGE
from destgen.project import Project
from destgen.resources import runtime_version
from destgen.writer import STATE_FILE


@dataclass(frozen=True)
class LibraryInUse:
    """Which library and which specs the running command uses, and what is stale about them."""

    library: Path
    specs: Path | None
    project: Project | None
    # Destinations whose spec file changed since the library was generated.
    stale: tuple[str, ...] = ()

    def describe(self) -> str:
        """One line for ``destgen destinations`` and the warnings."""
        if self.project is None:
            return f"library {self.library} (bundled with destgen)"
        return self.project.describe()


IN_USE: LibraryInUse | None = None


def use_project_library(project: Project) -> LibraryInUse:
    """Make ``project``'s library the one every later import of the library package finds."""
    global IN_USE
    package = project.library / LIBRARY_PACKAGE
    if not (package / "__init__.py").is_file():
        raise GeneratorError(
            str(project.config),
            "/library",
            f"no library at {project.library} yet: run `destgen generate` in {project.root}",
        )
    state = _state(project)
    _same_runtime(project, state)
    loaded = sys.modules.get(LIBRARY_PACKAGE)
    if loaded is not None and Path(str(loaded.__file__)).parent.resolve() != package.resolve():
        raise GeneratorError(
            str(project.config),
            "/library",
            f"this process already uses the library at {Path(str(loaded.__file__)).parent}; "
            "run destgen as its own command to use the project's",
        )
    if str(project.library) not in sys.path:
        sys.path.insert(0, str(project.library))
        importlib.invalidate_caches()
    IN_USE = LibraryInUse(project.library, project.specs, project, _stale(project, state))
    return IN_USE


def library_in_use() -> LibraryInUse:
    """The library this process uses (the bundled one unless a project's was chosen)."""
    if IN_USE is not None:
        return IN_USE
    import importlib.util

    spec = importlib.util.find_spec(LIBRARY_PACKAGE)
    location = spec.submodule_search_locations if spec is not None else None
    return LibraryInUse(Path(next(iter(location or ["(not installed)"]))), None, None)


def _state(project: Project) -> dict[str, Any]:
    """The library's state file (what generate recorded), read once; empty when unreadable."""
    try:
        state = json.loads((project.library / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _same_runtime(project: Project, state: dict[str, Any]) -> None:
    """The library was generated for this runtime version; else say how to regenerate."""
    pinned = state.get("runtime")
    if pinned != runtime_version():
        raise GeneratorError(
            str(project.config),
            "/library",
            f"the library at {project.library} was generated for destgen-runtime "
            f"{pinned or '(unknown)'}, not {runtime_version()}: run `destgen generate` in "
            f"{project.root}",
        )


def _stale(project: Project, state: dict[str, Any]) -> tuple[str, ...]:
    """Destinations whose spec file in the project's specs folder is not the one the library
    was generated from (a fetch since the last generate).
    """
    specs = state.get("specs")
    if not isinstance(specs, dict):
        return ()
    stale = []
    for slug, facts in sorted(specs.items()):
        recorded = facts.get("sha256") if isinstance(facts, dict) else None
        file = project.specs / f"{slug}.json"
        if not file.is_file():
            continue  # a raw spec under another file name: generate --check tells
        if hashlib.sha256(file.read_bytes()).hexdigest() != recorded:
            stale.append(slug)
    return tuple(stale)
