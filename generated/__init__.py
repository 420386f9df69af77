"""destgen's output package: one sub-package per destination plus the hand-written runtime.

Importing it needs only pydantic and httpx; it never imports the generator or its toolchain.
"""
