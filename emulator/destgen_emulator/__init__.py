"""A local Flow Service on loopback: real HTTP, in-memory state, validation from the raw specs.

It never imports generated/: it is an independent second opinion on what a payload means.
"""

from __future__ import annotations

from typing import Any

__all__ = ["EmulatorServer"]


def __getattr__(name: str) -> Any:
    # Lazy: `destgen --help` imports destgen_emulator.http.cli; it must not load uvicorn/Starlette.
    if name == "EmulatorServer":
        from destgen_emulator.http.server import EmulatorServer

        return EmulatorServer
    raise AttributeError(name)
