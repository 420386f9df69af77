"""Where the tool's data lives: templates, the default specs and the examples, installed or in a
checkout.

A wheel carries them as package data under ``destgen/_data/``; an editable checkout reads the
top-level folders of the repository. Nothing else in the tool builds these paths.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from destgen.errors import GeneratorError
from destgen.project import Project

PACKAGE_DIR = Path(__file__).resolve().parent
# The wheel's copy (hatchling force-include); absent in an editable checkout.
PACKAGED = PACKAGE_DIR / "_data"
# generator/destgen/ -> the repository root, for an editable checkout.
CHECKOUT = PACKAGE_DIR.parent.parent


def data_dir(name: str) -> Path:
    """``templates``, ``specs_cache`` or ``examples``: the packaged copy, else the checkout's."""
    packaged = (_emulator_data() if name == "specs_cache" else PACKAGED) / name
    return packaged if packaged.is_dir() else CHECKOUT / name


def _emulator_data() -> Path:
    """The emulator package's data folder, which holds the one packaged copy of the curated specs
    (found without importing the emulator: ``destgen --help`` stays light).
    """
    spec = importlib.util.find_spec("destgen_emulator")
    if spec is None or not spec.submodule_search_locations:
        return PACKAGED  # no emulator beside the tool: nothing packaged there
    return Path(next(iter(spec.submodule_search_locations))).resolve() / "_data"


def templates_dir() -> Path:
    """The Jinja templates: the checkout's ``templates/`` or the packaged copy."""
    return data_dir("templates")


def template_files() -> list[Path]:
    """Every template, for the fingerprint that decides whether a destination is re-rendered
    (here, not in render.py: an unchanged run must not import Jinja to list files).
    """
    return sorted(p for p in templates_dir().rglob("*.jinja") if p.is_file())


LOCAL_SPECS = Path("specs_cache")
# The project this run uses (destgen.project), set by the command line before it parses.
_ACTIVE_PROJECT: Project | None = None


def set_active_project(project: Project | None) -> None:
    """Make ``project`` the one whose folders the defaults below name."""
    global _ACTIVE_PROJECT
    _ACTIVE_PROJECT = project


def active_project() -> Project | None:
    """The project this run uses, if any."""
    return _ACTIVE_PROJECT


def default_specs_dir() -> Path:
    """The project's specs folder; else ``./specs_cache`` when the current folder has one (this
    checkout, or a folder that fetched its own), else the specs shipped with destgen: the input
    of generate, doctor, emulator, and where fetch writes.
    """
    if _ACTIVE_PROJECT is not None:
        return _ACTIVE_PROJECT.specs
    if (LOCAL_SPECS / "manifest.json").is_file():
        return LOCAL_SPECS
    return data_dir("specs_cache")


def default_library_dir() -> Path:
    """Where ``destgen generate`` writes: the project's library, else ``generated/``."""
    return _ACTIVE_PROJECT.library if _ACTIVE_PROJECT is not None else Path("generated")


def is_shipped(path: Path) -> bool:
    """True for the specs and data destgen ships: never a place to write. That is the wheel's
    package data (it may be site-packages), and a checkout's ``specs_cache`` unless the command
    runs in that checkout itself.
    """
    resolved = path.resolve()
    if any(resolved.is_relative_to(d.resolve()) for d in (PACKAGED, _emulator_data())):
        return True
    checkout = CHECKOUT.resolve()
    return resolved.is_relative_to(checkout / "specs_cache") and Path.cwd().resolve() != checkout


def examples_dir() -> Path:
    """The example activation files: the checkout's ``examples/`` or the packaged copy."""
    return data_dir("examples")


def runtime_dir() -> Path:
    """The runtime package every generated library depends on (``destgen_runtime``)."""
    # find_spec locates the package without importing it: a half-written tree cannot break this.
    spec = importlib.util.find_spec("destgen_runtime")
    if spec is None or not spec.submodule_search_locations:
        raise GeneratorError(
            "destgen_runtime",
            "",
            "the runtime package is not installed beside destgen: reinstall destgen",
        )
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def runtime_version() -> str:
    """The runtime's version: what a generated library pins (no pydantic is imported)."""
    from destgen_runtime import __version__

    return __version__
