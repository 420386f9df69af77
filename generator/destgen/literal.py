"""Python literals in generated source, written the way black writes them.

Template output black already agrees with skips black altogether (format.format_rendered), so
every literal a template writes, containers and numbers included, must read as black would
write it; what black would still change (a line too long to fit) is left to black.
"""

from __future__ import annotations

from collections.abc import Iterable

# Columns of text in one literal of a data module (JSON kept as text): with its indent, quotes
# and comma, a line stays within black's 100.
CHUNK_WIDTH = 88


def source_literal(value: object) -> str:
    """``repr(value)`` in black's style: a string double-quoted unless that needs more escapes,
    the same inside lists, tuples and dicts, and a float's exponent without its ``+``; anything
    else as ``repr`` writes it.
    """
    if isinstance(value, list):
        return "[" + ", ".join(source_literal(item) for item in value) + "]"
    if isinstance(value, tuple):
        return source_tuple(value)
    if isinstance(value, dict):
        pairs = (f"{source_literal(k)}: {source_literal(v)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    text = repr(value)
    if isinstance(value, float):
        return text.replace("e+", "e")  # black writes 1e100 where repr writes 1e+100
    if isinstance(value, str) and text.startswith("'") and '"' not in value:
        # repr single-quotes only a text holding no ' (or both kinds): with no " either, the
        # body needs no change between the two quote styles.
        return f'"{text[1:-1]}"'
    return text


def source_tuple(values: Iterable[object]) -> str:
    """A tuple display of ``values`` as black lays out a short one: ``()``, ``("a",)``,
    ``("a", "b")`` (a trailing comma after several would keep black splitting it one per line).
    """
    items = [source_literal(value) for value in values]
    if len(items) == 1:
        return f"({items[0]},)"
    return "(" + ", ".join(items) + ")"


def text_chunks(text: str, width: int = CHUNK_WIDTH) -> tuple[str, ...]:
    """``text`` cut into pieces whose literal is at most about ``width`` columns (an escaped
    character counts as its escape): data laid out in lines black leaves alone.
    """
    chunks: list[str] = []
    piece: list[str] = []
    used = 0
    for char in text:
        cost = len(repr(char)) - 2
        if piece and used + cost > width:
            chunks.append("".join(piece))
            piece = []
            used = 0
        piece.append(char)
        used += cost
    if piece:
        chunks.append("".join(piece))
    return tuple(chunks)
