"""What a generated destination package exports, each name imported on first use.

A destination package re-exports its builders, its submodules and a few runtime helpers. Imported
eagerly, ``import destgen_destinations.amazon_s3.checks`` (a CI gate's offline check, which needs
only pydantic-core) would load every model and pydantic with them; loaded on first use, a program
pays for what it touches. Type checkers read the package's ``TYPE_CHECKING`` imports instead, so
the names stay typed and a misspelt one is still an error.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, homes: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package`` (PEP 562). ``homes`` maps each exported name to
    the module it is imported from, relative to ``package`` when it starts with a dot; a name
    whose home is ``"."`` is the package's submodule of that name.
    """

    def exported(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        if home == ".":
            return importlib.import_module(f"{package}.{name}")  # binds it on the package too
        value = getattr(importlib.import_module(home, package), name)
        setattr(sys.modules[package], name, value)  # later reads are a plain attribute
        return value

    def listed() -> list[str]:
        return sorted({*homes, *vars(sys.modules[package])})

    return exported, listed
