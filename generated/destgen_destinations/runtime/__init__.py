"""Hand-written runtime shared by every generated destination package.

The generator never writes here; generated code imports from here, never the other way round.
"""

from destgen_destinations.runtime.schema.wire import to_wire

__all__ = ["to_wire"]
