"""The modules a Python source imports, read with ``ast`` (nothing is imported): what the
import-direction tests check the house's layers with.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator


def imported_modules(source: str) -> Iterator[str]:
    """Every absolute module name ``source`` imports (nested and type-only imports too);
    ``from X import y`` as both ``X`` and ``X.y``, since ``y`` may be a module.
    """
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)
