"""A destgen project: a folder whose config (``destgen.toml``, or a ``[tool.destgen]`` table in
its pyproject.toml) names its specs folder, its generated library and its activation files.

Commands find the config in the current folder or its parents, as ruff, pytest and Terraform
find theirs (``destgen --project DIR`` points elsewhere). Inside a project, ``fetch`` writes the
project's specs, ``generate`` rebuilds its library, and every command that reads destinations uses
that library (project_library.py). The config is untrusted input: unknown keys are named with
the nearest known one, and every folder it names stays inside the project.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from destgen.errors import GeneratorError

CONFIG_FILE = "destgen.toml"
PYPROJECT = "pyproject.toml"
DEFAULTS: dict[str, Any] = {
    "specs": "specs",
    "library": "library",
    "activations": ["destinations"],
}
# What `destgen init` writes: every key, with what it is for.
CONFIG_TEXT = """\
# A destgen project. Commands run anywhere below this folder use it.
# destgen fetch writes connection specs here; destgen generate reads them.
specs = "specs"
# The library destgen generate writes, which validate, plan, apply, preview and export use.
library = "library"
# Activation files and folders: what plan and apply read when given no paths.
activations = ["destinations"]
"""


@dataclass(frozen=True)
class Project:
    """One project: its root, the file that configures it, and the folders that file names."""

    root: Path
    config: Path
    specs: Path
    library: Path
    activations: tuple[Path, ...]

    def describe(self) -> str:
        """One line naming the project's config, library and specs (what commands say)."""
        return f"project {self.config}: library {self.library}, specs {self.specs}"


def find_project(start: Path) -> Project | None:
    """The project of ``start`` or the nearest of its parents; None outside any project."""
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return load_project(folder / CONFIG_FILE)
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and _tool_table(pyproject) is not None:
            return load_project(pyproject)
    return None


def project_at(folder: Path) -> Project:
    """``--project DIR``: the project configured in ``folder`` itself (no search upwards)."""
    if (folder / CONFIG_FILE).is_file():
        return load_project(folder / CONFIG_FILE)
    if (folder / PYPROJECT).is_file() and _tool_table(folder / PYPROJECT) is not None:
        return load_project(folder / PYPROJECT)
    raise GeneratorError(
        str(folder),
        "",
        f"no destgen project here (no {CONFIG_FILE}, no [tool.destgen] in {PYPROJECT}); "
        "destgen init makes one",
    )


def load_project(config: Path) -> Project:
    """The project ``config`` describes; GeneratorError naming the file and key at fault."""
    table = _tool_table(config) if config.name == PYPROJECT else _read_toml(config)
    prefix = "/tool/destgen" if config.name == PYPROJECT else ""
    assert table is not None  # find_project only loads a pyproject.toml that has the table
    unknown = sorted(set(table) - set(DEFAULTS))
    if unknown:
        near = difflib.get_close_matches(unknown[0], list(DEFAULTS), n=1)
        hint = f"; did you mean {near[0]!r}?" if near else f"; known keys: {', '.join(DEFAULTS)}"
        raise GeneratorError(str(config), f"{prefix}/{unknown[0]}", f"unknown key{hint}")
    values = DEFAULTS | table
    root = config.parent.resolve()
    for key in ("specs", "library"):
        if not isinstance(values[key], str):
            raise GeneratorError(str(config), f"{prefix}/{key}", "expected a folder name (text)")
    activations = values["activations"]
    if not isinstance(activations, list) or not all(isinstance(a, str) for a in activations):
        raise GeneratorError(
            str(config), f"{prefix}/activations", "expected a list of files and folders (text)"
        )
    return Project(
        root=root,
        config=config.resolve(),
        specs=_inside(root, values["specs"], config, f"{prefix}/specs"),
        library=_inside(root, values["library"], config, f"{prefix}/library"),
        activations=tuple(
            _inside(root, a, config, f"{prefix}/activations/{i}") for i, a in enumerate(activations)
        ),
    )


def _inside(root: Path, relative: str, config: Path, pointer: str) -> Path:
    """``relative`` under ``root``: never absolute, never ``..``, never out through a link."""
    path = PurePosixPath(relative)
    if not relative or path.is_absolute() or ".." in path.parts or "\\" in relative:
        raise GeneratorError(
            str(config), pointer, f"{relative!r}: give a folder inside the project (relative)"
        )
    resolved = (root / path).resolve()
    if not resolved.is_relative_to(root):
        raise GeneratorError(str(config), pointer, f"{relative!r} leads outside the project")
    return resolved


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, UnicodeDecodeError) as exc:
        raise GeneratorError(str(path), "", f"cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise GeneratorError(str(path), "", f"not TOML: {exc}") from None


def _tool_table(pyproject: Path) -> dict[str, Any] | None:
    """The ``[tool.destgen]`` table of a pyproject.toml; None when it has none."""
    tool = _read_toml(pyproject).get("tool")
    table = tool.get("destgen") if isinstance(tool, dict) else None
    if table is None:
        return None
    if not isinstance(table, dict):
        raise GeneratorError(str(pyproject), "/tool/destgen", "expected a table")
    return table
