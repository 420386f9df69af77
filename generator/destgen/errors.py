"""The generator's error type: every failure names the file and the JSON pointer it is about.

It carries no formatting logic beyond one line of text for the CLI.
"""

from __future__ import annotations

from destgen_destinations.runtime.schema.json_path import pointer_child


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


# One RFC 6901 rule for the generator, the emulator and the library (the dialect reader's notes).
child = pointer_child
