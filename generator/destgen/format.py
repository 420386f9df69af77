"""The one formatter: imports grouped the way ruff's isort expects, then black with pinned settings.

It changes layout only, never meaning.
"""

from __future__ import annotations

import re
import sys

from destgen.layout import LIBRARY_PACKAGE

LINE_LENGTH = 100
FIRST_PARTY = (LIBRARY_PACKAGE,)
_IMPORT = re.compile(r"^(from (\S+) import .+|import (\S+))$")


def format_source(source: str) -> str:
    """Sorted, grouped imports and black's layout (line length 100, Python 3.11)."""
    import black
    from black.mode import Mode, TargetVersion

    mode = Mode(line_length=LINE_LENGTH, target_versions={TargetVersion.PY311})
    return black.format_str(_sort_imports(source), mode=mode)


def _sort_imports(source: str) -> str:
    """Regroup the leading block of single-line imports into stdlib, third-party and first-party."""
    # datamodel-code-generator puts ``from __future__`` above our banner comments; ruff wants it
    # at the head of the import block, below the comments.
    all_lines = _join_parenthesised(source.split("\n"))
    future = sorted(line for line in all_lines if line.startswith("from __future__ "))
    lines = [line for line in all_lines if line not in future]
    start = next((i for i, line in enumerate(lines) if _IMPORT.match(line)), None)
    if start is None:
        return source
    end = start
    block: list[str] = []
    while end < len(lines) and (_IMPORT.match(lines[end]) or not lines[end].strip()):
        if lines[end].strip():
            block.append(lines[end])
        end += 1
    groups: dict[int, list[str]] = {0: [], 1: [], 2: []}
    for line in block:
        if line not in future:
            groups[_group(line)].append(_sort_names(line))
    sections = [future] + [sorted(groups[g], key=_module_key) for g in (0, 1, 2)]
    body = "\n\n".join("\n".join(s) for s in sections if s)
    return "\n".join(lines[:start]) + "\n" + body + "\n\n" + "\n".join(lines[end:]).lstrip("\n")


def _join_parenthesised(lines: list[str]) -> list[str]:
    """``from x import (`` ... ``)`` as one line, so the block can be sorted line by line."""
    joined: list[str] = []
    open_import: list[str] | None = None
    for line in lines:
        if open_import is not None:
            if line.strip() == ")":
                names = ", ".join(n for n in "".join(open_import).replace(" ", "").split(",") if n)
                joined[-1] = joined[-1].removesuffix("(") + names
                open_import = None
            else:
                open_import.append(line.strip())
            continue
        joined.append(line)
        if line.startswith("from ") and line.endswith("import ("):
            open_import = []
    return joined


def _module(line: str) -> str:
    match = _IMPORT.match(line)
    assert match is not None
    return match.group(2) or match.group(3)


def _module_key(line: str) -> tuple[int, str]:
    return (0 if line.startswith("import ") else 1, _module(line).lower())


def _group(line: str) -> int:
    top = _module(line).split(".")[0]
    if top in sys.stdlib_module_names:
        return 0
    return 2 if top in FIRST_PARTY else 1


def _sort_names(line: str) -> str:
    if not line.startswith("from ") or "(" in line:
        return line
    head, names = line.split(" import ", 1)
    # ruff's default order-by-type: CONSTANTS, then Classes, then functions/variables.
    ordered = sorted(
        (n.strip() for n in names.split(",")),
        key=lambda n: (0 if n.isupper() else 1 if n[:1].isupper() else 2, n),
    )
    return f"{head} import {', '.join(ordered)}"
