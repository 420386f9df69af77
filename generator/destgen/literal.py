"""Python literals in generated source, written the way black writes them.

Rendered text black already agrees with is formatted in one pass instead of two (black formats a
second time whenever the first pass changed anything), so matching its quote style is most of
what keeps generation fast.
"""

from __future__ import annotations

from collections.abc import Iterable


def source_literal(value: object) -> str:
    """``repr(value)`` in black's quote style: a string double-quoted unless that needs more
    escapes; anything else as ``repr`` writes it.
    """
    text = repr(value)
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
