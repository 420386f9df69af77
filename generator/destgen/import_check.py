"""The last gate before writing: every name a generated module imports from another generated
module of the same package is defined there, so a tree that would not import is never written.

Read with ``ast`` (nothing is executed). Names the generator chooses and names
datamodel-code-generator writes come from two rules; where they ever part (a spec name such as
"Option A B"), this says so with the spec file instead of leaving an ImportError for the user.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from destgen.errors import GeneratorError


def check_imports(spec_file: str, package: str, files: Mapping[str, str | ast.Module]) -> None:
    """``files``: ``{path inside the package: source, or its parsed tree}`` of one generated
    package ``package`` (dotted); GeneratorError naming the first import that could not be
    resolved.
    """
    trees = {
        _module(package, rel): source if isinstance(source, ast.Module) else ast.parse(source)
        for rel, source in files.items()
        if rel.endswith(".py")
    }
    defined = {name: _defined(tree) for name, tree in trees.items()}
    for name, tree in sorted(trees.items()):
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or node.level or node.module not in defined:
                continue
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                if alias.name not in defined[node.module] and submodule not in defined:
                    raise GeneratorError(
                        spec_file,
                        "",
                        f"the generated code would not import: {name} imports {alias.name!r} "
                        f"from {node.module}, which does not define it",
                    )


def _module(package: str, rel: str) -> str:
    parts = rel.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join([package, *parts])


def _defined(tree: ast.Module) -> set[str]:
    """Top-level names a module defines or imports."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names
