"""What server data of an unexpected shape raises while destgen reads it, and the one line that
says so. Every answer of the service is untrusted input: an object missing a key or holding a
value of another type fails the one file or dataflow that met it, never the whole run.
"""

from __future__ import annotations

from destgen_runtime.transport.errors import DestgenError
from destgen_runtime.transport.redact import printable

# A key or item missing, a value of another type: what reading a mis-shapen object raises.
ODD_SHAPE = (KeyError, IndexError, TypeError, ValueError, AttributeError)
ODD_DATA = (DestgenError, *ODD_SHAPE)


def odd_shape_line(exc: BaseException) -> str:
    """One line naming what was odd, without a traceback."""
    detail = printable(str(exc) or type(exc).__name__)
    return f"the service answered an object of an unexpected shape ({type(exc).__name__}: {detail})"
