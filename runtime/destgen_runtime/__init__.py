"""destgen's runtime: the hand-written part every generated destination library stands on, its
own distribution (``destgen-runtime``), as protobuf's generated modules stand on the protobuf
runtime. A generated library pins the runtime version it was generated for.

The generator never writes here; generated code imports from here, never the other way round.
Names are loaded on first use, so reading ``__version__`` imports no pydantic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["__version__", "is_valid", "is_valid_json", "to_wire"]

if TYPE_CHECKING:
    from destgen_runtime.schema.validity import is_valid, is_valid_json
    from destgen_runtime.schema.wire import to_wire


def __getattr__(name: str) -> Any:
    if name == "to_wire":
        from destgen_runtime.schema.wire import to_wire

        return to_wire
    if name in ("is_valid", "is_valid_json"):
        from destgen_runtime.schema import validity

        return getattr(validity, name)
    raise AttributeError(f"module 'destgen_runtime' has no attribute {name!r}")
