"""destgen's build-time package: connection specs in, the generated/ package out.

Nothing under generated/ may import from here.
"""

__version__ = "0.1.0"
