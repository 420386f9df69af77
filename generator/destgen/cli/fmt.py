"""``destgen fmt``: activation files rewritten in one canonical layout, as ``terraform fmt`` does;
``--check`` for CI (exit 3 when a file would change, nothing written).

Only the layout changes, never the content or its order: JSON is two-space indented with one
key per line and a final newline; YAML keeps every comment, key order and quoting, with two-space
mappings and sequences flush under their key (as ``destgen new`` writes them). Every file is
parsed as plan parses it first (no aliases, no tags beyond YAML's), so fmt accepts exactly what
plan reads; a file that does not parse is named with the parser's reason and left untouched.
"""

from __future__ import annotations

import argparse
import difflib
import io
import json
import os
import sys
from pathlib import Path
from typing import Any

from destgen.cli.exit_codes import Exit
from destgen.cli.say import say

YAML_SUFFIXES = (".yaml", ".yml")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``destgen fmt [PATH ...] [--check] [--diff]``."""
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        default=[Path(".")],
        metavar="PATH",
        help="activation files or folders of them (default: the current folder); - reads "
        "standard input and writes the formatted file to standard output",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; list the files that are not formatted and exit 3 if any",
    )
    parser.add_argument("--diff", action="store_true", help="print each change as a unified diff")


def run_fmt(args: argparse.Namespace) -> int:
    """Format every file; exit 0, 3 (``--check``: some file would change) or 1 (unparseable)."""
    if [str(p) for p in args.paths] == ["-"]:
        return _stdin()
    missing = [p for p in args.paths if not p.exists()]
    for path in missing:
        say(f"{path}: no such file or folder")
    if missing:
        return Exit.USAGE
    failed, unformatted = False, []
    for path in files_to_format(args.paths):
        try:
            before = path.read_text(encoding="utf-8")
            after = formatted(before, yaml=path.suffix in YAML_SUFFIXES, name=str(path))
        except (OSError, UnicodeDecodeError, NotParseable) as exc:
            say(f"{_reason(path, exc)}")
            failed = True
            continue
        if after == before:
            continue
        unformatted.append(path)
        if args.diff:
            sys.stdout.writelines(
                difflib.unified_diff(
                    before.splitlines(keepends=True),
                    after.splitlines(keepends=True),
                    f"{path} (as written)",
                    f"{path} (formatted)",
                )
            )
        if not args.check:
            from destgen.writer import atomic_write_text

            atomic_write_text(path, after)
        print(path)
    if failed:
        return Exit.FAILED
    return Exit.CHANGES if args.check and unformatted else Exit.OK


# Folders a walk never enters: hidden ones (.git, .venv) and installed or generated trees.
SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__", "site-packages"})


def files_to_format(paths: list[Path]) -> list[Path]:
    """Files as given; a folder's activation files only (a JSON or YAML mapping that names a
    ``destination``), found without entering hidden or vendored folders. A saved plan is never
    an activation file. ``destgen fmt .`` in a repository leaves its other JSON and YAML alone.
    """
    from destgen.cli.saved_plan import is_saved_plan

    found: list[Path] = []
    for path in paths:
        if not path.is_dir():
            found.append(path)
            continue
        for top, folders, files in os.walk(path):
            folders[:] = sorted(
                f for f in folders if not f.startswith(".") and f not in SKIPPED_FOLDERS
            )
            walked = Path(top)
            found += [
                walked / name
                for name in sorted(files)
                if Path(name).suffix in (".json", ".yaml", ".yml")
                and not is_saved_plan(walked / name)
                and _names_a_destination(walked / name)
            ]
    return found


def _names_a_destination(path: Path) -> bool:
    """Whether ``path`` reads as a mapping with a ``destination`` (what an activation file is).
    A folder's file that does not parse is not known to be one and is left alone (a tsconfig
    with comments, say); given by name, it is formatted or refused with its reason.
    """
    from destgen.cli.activate import read_yaml

    try:
        text = path.read_text(encoding="utf-8")
        data = read_yaml(text) if path.suffix in YAML_SUFFIXES else json.loads(text)
    except Exception:  # yaml and json raise different types; both mean "not parseable"
        return False
    return isinstance(data, dict) and "destination" in data


class NotParseable(ValueError):
    """The text is not a YAML or JSON document plan would read."""


def formatted(text: str, *, yaml: bool, name: str = "-") -> str:
    """``text`` (an activation file's YAML or JSON) in the canonical layout."""
    from destgen.cli.activate import read_yaml

    try:
        data = read_yaml(text) if yaml else json.loads(text)
    except Exception as exc:  # yaml and json raise different types; both mean "not parseable"
        kind = "YAML" if yaml else "JSON"
        raise NotParseable(f"{name}: not valid {kind}: {' '.join(str(exc).split())}") from None
    if not yaml:
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return _yaml_layout(text)


def _yaml_layout(text: str) -> str:
    """The same YAML, comments and all, re-indented (read_yaml has refused aliases and tags)."""
    from ruamel.yaml import YAML

    round_trip = YAML(typ="rt")
    round_trip.indent(mapping=2, sequence=2, offset=0)
    round_trip.preserve_quotes = True
    round_trip.width = 4096  # never fold a long value onto a second line
    document: Any = round_trip.load(text)
    out = io.StringIO()
    round_trip.dump(document, out)
    return out.getvalue()


def _stdin() -> int:
    text = sys.stdin.read()
    try:
        json.loads(text)
        is_yaml = False
    except ValueError:
        is_yaml = True
    try:
        sys.stdout.write(formatted(text, yaml=is_yaml))
    except NotParseable as exc:
        say(str(exc))
        return Exit.FAILED
    return Exit.OK


def _reason(path: Path, exc: Exception) -> str:
    if isinstance(exc, NotParseable):
        return str(exc)
    if isinstance(exc, UnicodeDecodeError):
        return f"{path}: not UTF-8 text"
    return f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}"
