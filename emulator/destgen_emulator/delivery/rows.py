"""Synthetic profiles for a run's files: one column per mapped destination field, deterministic
from a seed and the audience, with the values that test a file's options (a delimiter or a quote
inside a value, a null, an empty string).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

FIRST = ("Anna", "Ben", "Chloé", "Dev", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jonas")
LAST = ("Doe", "Okafor", "Müller", "Tanaka", "Silva", "Nguyen", "O'Brien", "Kowalski")
# Every so many rows, a value that exercises the CSV options (null, empty, delimiter, quote).
NULL_EVERY, EMPTY_EVERY, TRICKY_EVERY = 7, 11, 13

Row = tuple[str | None, ...]


def profiles(columns: tuple[str, ...], count: int, seed: str) -> Iterator[Row]:
    """``count`` rows of ``columns``; the same seed gives the same rows."""
    chance = random.Random(seed)
    makers = [_maker(c) for c in columns]
    for n in range(count):
        first, last = chance.choice(FIRST), chance.choice(LAST)
        row: list[str | None] = [make(n, first, last) for make in makers]
        if row and n % NULL_EVERY == NULL_EVERY - 1:
            row[-1] = None
        if len(row) > 1 and n % EMPTY_EVERY == EMPTY_EVERY - 1:
            row[0] = ""
        if row and n % TRICKY_EVERY == TRICKY_EVERY - 1:
            row[0] = f'{last}, "{first}"'
        yield tuple(row)


Maker = Callable[[int, str, str], str]


def _maker(column: str) -> Maker:
    lowered = column.lower()
    if "mail" in lowered:
        return lambda n, first, last: f"{first.lower()}.{n}@example.com"
    if "first" in lowered:
        return lambda n, first, last: first
    if "last" in lowered or "surname" in lowered:
        return lambda n, first, last: last
    if "phone" in lowered:
        return lambda n, first, last: f"+1555{n:07d}"
    return lambda n, first, last: f"{column}-{n}"
