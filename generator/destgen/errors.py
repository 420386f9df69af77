"""The generator's error type: every failure names the file and the JSON pointer it is about.

It carries no formatting logic beyond one line of text for the CLI.
"""

from __future__ import annotations


class GeneratorError(Exception):
    """A problem in an input file; ``pointer`` is an RFC 6901 JSON pointer ("" = whole file)."""

    def __init__(self, file: str, pointer: str, message: str) -> None:
        super().__init__(f"{file}#{pointer or '/'}: {message}")
        self.file = file
        self.pointer = pointer
        self.message = message

    def __reduce__(self) -> tuple[type[GeneratorError], tuple[str, str, str]]:
        # Rendering runs in worker processes; errors must cross back intact.
        return (GeneratorError, (self.file, self.pointer, self.message))


def child(pointer: str, *parts: str | int) -> str:
    """``pointer`` extended by ``parts``, escaped per RFC 6901. The library's ``pointer_child``
    says the same; this one keeps ``destgen --help`` from importing the library's runtime.
    """
    for part in parts:
        pointer += "/" + str(part).replace("~", "~0").replace("/", "~1")
    return pointer
