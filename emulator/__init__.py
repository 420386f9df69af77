"""A local Flow Service on loopback: real HTTP, in-memory state, validation from the raw specs.

It never imports generated/: it is an independent second opinion on what a payload means.
"""

from emulator.server import EmulatorServer

__all__ = ["EmulatorServer"]
