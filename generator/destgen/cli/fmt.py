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

from destgen_runtime.schema import strict_json

from destgen.cli.exit_codes import Exit
from destgen.cli.say import say

YAML_SUFFIXES = (".yaml", ".yml")


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
    for path, walked in candidates(args.paths):
        # Each file read and parsed once: the parse says both whether a folder's file is an
        # activation file and, for JSON, what to lay out.
        try:
            before = path.read_text(encoding="utf-8")
            data = parsed(before, yaml=path.suffix in YAML_SUFFIXES, name=str(path))
        except (OSError, UnicodeDecodeError, NotParseable) as exc:
            if walked:
                continue  # a folder's file that does not parse is not known to be ours
            say(_reason(path, exc))
            failed = True
            continue
        if walked and not is_activation_file(data):
            continue
        after = laid_out(before, data, yaml=path.suffix in YAML_SUFFIXES)
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


def candidates(paths: list[Path]) -> list[tuple[Path, bool]]:
    """(file, found by walking a folder): files as given, and a folder's JSON and YAML files,
    found without entering hidden or vendored folders. A walked file is formatted only when it
    is an activation file (is_activation_file): ``destgen fmt .`` in a repository leaves its
    other JSON and YAML alone.
    """
    found: list[tuple[Path, bool]] = []
    for path in paths:
        if not path.is_dir():
            found.append((path, False))
            continue
        for top, folders, files in os.walk(path):
            folders[:] = sorted(
                f for f in folders if not f.startswith(".") and f not in SKIPPED_FOLDERS
            )
            found += [
                (Path(top) / name, True)
                for name in sorted(files)
                if Path(name).suffix in (".json", *YAML_SUFFIXES)
            ]
    return found


def is_activation_file(data: Any) -> bool:
    """A mapping that names a ``destination`` and is no saved plan."""
    from destgen.cli.saved_plan import FORMAT_KEY

    return isinstance(data, dict) and "destination" in data and FORMAT_KEY not in data


class NotParseable(ValueError):
    """The text is not a YAML or JSON document plan would read."""


def parsed(text: str | bytes, *, yaml: bool, name: str = "-") -> Any:
    """``text`` (bytes: UTF-8) read as plan reads an activation file (YAML: no aliases, no tags
    beyond YAML's; JSON: strict, no key twice); NotParseable naming ``name`` and the parser's
    reason otherwise.
    """
    from destgen.cli.activate import read_yaml

    try:
        document = text.decode("utf-8") if isinstance(text, bytes) else text
        return read_yaml(document) if yaml else strict_json.loads(document, unique_keys=True)
    except Exception as exc:  # yaml and json raise different types; both mean "not parseable"
        raise _not_parseable(name, exc, yaml=yaml) from None


def laid_out(text: str, data: Any, *, yaml: bool) -> str:
    """``text`` (parsed as ``data``) in the canonical layout."""
    if not yaml:
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return _yaml_layout(text)


def formatted(text: str, *, yaml: bool, name: str = "-") -> str:
    """``text`` (an activation file's YAML or JSON) in the canonical layout."""
    data = parsed(text, yaml=yaml, name=name)
    try:
        return laid_out(text, data, yaml=yaml)
    except Exception as exc:  # the round-trip YAML parser is stricter in places: still its text
        raise _not_parseable(name, exc, yaml=yaml) from None


def _not_parseable(name: str, exc: Exception, *, yaml: bool) -> NotParseable:
    """The parser's reason on one line (yaml's messages quote the line below)."""
    kind = "YAML" if yaml else "JSON"
    return NotParseable(f"{name}: not valid {kind}: {' '.join(str(exc).split())}")


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
