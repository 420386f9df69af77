"""One exception tree: every exception class of the runtime is defined in schema/errors.py (the
lowest room, so any room may raise any of them), derives from ``DestgenError``, is drawn in that
module's docstring, and shares no name with pydantic's exceptions.
"""

from __future__ import annotations

import ast
import inspect

import pydantic
import pydantic_core
from destgen_runtime.schema import errors

from tests.conftest import ROOT

RUNTIME = ROOT / "runtime" / "destgen_runtime"


def _exception_classes() -> list[type[BaseException]]:
    return [
        c
        for _, c in inspect.getmembers(errors, inspect.isclass)
        if issubclass(c, BaseException) and c.__module__ == errors.__name__
    ]


def test_every_runtime_error_is_in_the_tree_and_drawn() -> None:
    drawn = errors.__doc__ or ""
    classes = _exception_classes()
    assert len(classes) >= 19
    for cls in classes:
        assert issubclass(cls, errors.DestgenError), cls
        assert cls.__name__ in drawn, f"{cls.__name__} is not drawn in the tree"


def test_no_other_runtime_module_defines_an_exception() -> None:
    defined = []
    for path in sorted(RUNTIME.rglob("*.py")):
        if path == RUNTIME / "schema" / "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(b, ast.Name) and b.id.endswith(("Error", "Exception"))
                for b in node.bases
            ):
                defined.append(f"{path.relative_to(RUNTIME)}: {node.name}")
    assert defined == []


def test_no_error_shares_a_name_with_pydantic() -> None:
    theirs = {
        name
        for module in (pydantic, pydantic_core)
        for name in dir(module)
        if isinstance(getattr(module, name, None), type)
        and issubclass(getattr(module, name), BaseException)
    }
    assert "ValidationError" in theirs
    assert {c.__name__ for c in _exception_classes()} & theirs == set()
