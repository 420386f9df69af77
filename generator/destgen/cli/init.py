"""``destgen init``: make a project folder (project.py) ready to use at once: its config, the
curated specs copied into its specs folder, its library generated, an empty activation folder.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from destgen.cli.exit_codes import Exit
from destgen.cli.say import say
from destgen.errors import GeneratorError
from destgen.project import CONFIG_FILE, CONFIG_TEXT, PYPROJECT, load_project, project_at
from destgen.resources import data_dir
from destgen.writer import atomic_write_text


def run_init(args: argparse.Namespace) -> int:
    """Write the config (never over another), then the specs, library and activation folder."""
    folder: Path = args.folder.resolve()
    if not folder.is_dir():
        say(f"{folder} is not a folder")
        return Exit.USAGE
    try:
        existing = project_at(folder)
    except GeneratorError:
        existing = None
    if existing is not None:
        say(f"{existing.config} already configures a project here; nothing changed")
        return Exit.USAGE
    try:
        config = _write_config(folder, in_pyproject=args.pyproject)
        project = load_project(config)
    except GeneratorError as exc:
        say(str(exc))
        return Exit.USAGE
    copied = _copy_curated_specs(project.specs)
    for activations in project.activations:
        activations.mkdir(parents=True, exist_ok=True)
    from destgen.pipeline import generate

    result = generate(project.specs, project.library)
    print(f"destgen init: wrote {config}")
    if copied:
        print(
            f"  specs        {project.specs} ({len(copied)} curated specs; "
            "destgen fetch adds more)"
        )
    print(f"  library      {project.library} ({len(result.destinations)} destinations)")
    print(f"  activations  {', '.join(str(a) for a in project.activations)}")
    print("next: destgen fetch --spec-id ID, destgen generate, destgen plan")
    return Exit.OK


def _write_config(folder: Path, *, in_pyproject: bool) -> Path:
    """destgen.toml, or a [tool.destgen] table appended to pyproject.toml (which must exist)."""
    if not in_pyproject:
        config = folder / CONFIG_FILE
        atomic_write_text(config, CONFIG_TEXT)
        return config
    config = folder / PYPROJECT
    if not config.is_file():
        raise GeneratorError(str(config), "", "no pyproject.toml here: drop --pyproject")
    text = config.read_text(encoding="utf-8")
    table = "\n[tool.destgen]\n" + CONFIG_TEXT
    atomic_write_text(config, text + ("" if text.endswith("\n") else "\n") + table)
    return config


def _copy_curated_specs(specs: Path) -> list[str]:
    """The specs destgen ships, into an empty or new specs folder (a folder with specs is kept):
    the names of the destinations copied.
    """
    if specs.is_dir() and any(specs.iterdir()):
        return []
    shipped = data_dir("specs_cache")
    specs.mkdir(parents=True, exist_ok=True)
    files = sorted(shipped.glob("*.json"))
    for file in files:
        shutil.copyfile(file, specs / file.name)
    return [f.stem for f in files if f.name != "manifest.json"]
