"""No hand-written function above cyclomatic complexity 20 (radon's count: branches, loops,
boolean operators and comprehensions each add one), in the tool, the runtime and the emulator.

Generated code is exempt: its shape is the spec's.
"""

from __future__ import annotations

from pathlib import Path

from radon.complexity import cc_visit
from radon.visitors import Class, Function

from tests.conftest import ROOT

HAND_WRITTEN = (
    ROOT / "generator" / "destgen",
    ROOT / "runtime" / "destgen_runtime",
    ROOT / "emulator" / "destgen_emulator",
)
LIMIT = 20


def _functions(source: str) -> list[Function]:
    found: list[Function] = []
    for block in cc_visit(source):
        if isinstance(block, Class):
            found += block.methods
        else:
            found.append(block)
    return found


def _over(path: Path, root: Path = ROOT) -> list[str]:
    return [
        f"{path.relative_to(root)}:{f.lineno} {f.fullname} ({f.complexity})"
        for f in _functions(path.read_text(encoding="utf-8"))
        if f.complexity > LIMIT
    ]


def test_no_hand_written_function_is_above_complexity_20() -> None:
    over = [
        line for root in HAND_WRITTEN for path in sorted(root.rglob("*.py")) for line in _over(path)
    ]
    assert over == []


def test_the_count_sees_a_complex_function(tmp_path: Path) -> None:
    branches = "\n".join(f"    if x == {i}:\n        return {i}" for i in range(LIMIT + 1))
    source = tmp_path / "complex.py"
    source.write_text(f"def f(x):\n{branches}\n    return -1\n")
    (line,) = _over(source, tmp_path)
    assert "f (22)" in line
