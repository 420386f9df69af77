"""Each spec params model's check, derived from the model just generated, for ``checks.py``.

The check of a model is its core schema as ``is_valid`` runs it (validity.check_schema), so the
models are built here, from the sources just formatted, the way a user's import would build them:
a check derived any other way could drift from them. The sources are served from memory under the
package's real name for the length of the derivation and taken out again; a module of the same
name already imported (the generated library, in a test or a long-lived process) is put back as
it was. Nothing is written and nothing of the user's is run: only the sources this run wrote.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import CodeType, ModuleType
from typing import Any

from destgen_runtime.schema.core_checks import check_text
from destgen_runtime.schema.validity import check_schema

from destgen.errors import GeneratorError
from destgen.ir import DestinationIR
from destgen.layout import LIBRARY_PACKAGE


def derive_checks(ir: DestinationIR, files: Mapping[str, CodeType]) -> dict[str, str]:
    """``{class name: check text}`` for each schema unit of ``ir`` whose check holds nothing but
    data (``files``: the destination's compiled modules, by path inside its package); a unit
    whose check runs a Python function of its own (a model-wide rule) is left to its class.
    """
    package = f"{LIBRARY_PACKAGE}.{ir.slug}"
    sources = {
        f"{package}.{rel[:-3].replace('/', '.')}": code
        for rel, code in files.items()
        if rel.startswith("models/") and rel.endswith(".py") and rel != "models/__init__.py"
    }
    checks = {}
    with _served(package, sources):
        for unit in ir.units:
            try:
                module = importlib.import_module(f"{package}.models.{unit.module}")
                model: Any = getattr(module, unit.class_name)
                model.model_rebuild()
            except Exception as exc:  # what a user's import would meet: refused here instead
                raise GeneratorError(
                    ir.spec_file,
                    unit.pointer,
                    f"the generated {unit.class_name} would not build "
                    f"({type(exc).__name__}: {exc})",
                ) from None
            text = check_text(check_schema(model.__pydantic_core_schema__))
            if text is not None:
                checks[unit.class_name] = text
    return checks


class _MemoryFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports modules compiled in memory; their parent packages as empty packages."""

    def __init__(self, sources: Mapping[str, CodeType], packages: set[str]) -> None:
        self.sources = sources
        self.packages = packages

    def find_spec(
        self, fullname: str, path: Any = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname in self.packages:
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        if fullname in self.sources:
            return importlib.machinery.ModuleSpec(fullname, self)
        return None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None  # the default module object

    def exec_module(self, module: ModuleType) -> None:
        code = self.sources.get(module.__name__)
        if code is not None:
            exec(code, module.__dict__)


@contextmanager
def _served(package: str, sources: Mapping[str, CodeType]) -> Iterator[None]:
    """``sources`` importable by name inside the block, and nothing of ``package``'s root left
    behind it: modules of that root imported before are put back, the ones made here dropped.
    """
    root = package.split(".")[0]
    parts = [*package.split("."), "models"]
    packages = {".".join(parts[:n]) for n in range(1, len(parts) + 1)}
    ours = {name: module for name, module in sys.modules.items() if _under(name, root)}
    for name in ours:
        del sys.modules[name]
    finder = _MemoryFinder(sources, packages)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        for name in [name for name in sys.modules if _under(name, root)]:
            del sys.modules[name]
        sys.modules.update(ours)


def _under(name: str, root: str) -> bool:
    return name == root or name.startswith(root + ".")
