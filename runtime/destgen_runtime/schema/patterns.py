r"""Spec patterns (ECMA-262 regular expressions) matched in linear time, or refused.

JSON Schema patterns are ECMA-262: ``\d`` is ``[0-9]`` and ``$`` is the end of the input. Python's
``re`` backtracks (``^(a+)+$`` on a long input never returns) and reads ``\d`` and ``$`` more
loosely. So every pattern goes to the linear-time Rust engine inside pydantic-core whenever that
engine can compile it. Only patterns that need look-around (Rust has none) use Python's ``re``: in
ECMA terms (ASCII classes, ``$`` as the very end), and only after :func:`backtracking_risk` finds
no repetition that could take exponential time.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic_core import SchemaError, SchemaValidator, core_schema

from destgen_runtime.schema.errors import (  # re-exported: its room's errors
    UnsafePattern as UnsafePattern,
)

# re's parser: the same tree the engine runs, so the check sees what will execute. Loaded by name:
# typeshed has no stubs for these private modules, and whether mypy finds them otherwise depends
# on the order it reads the rest of the program.
sre: Any = importlib.import_module("re._constants")
sre_parse: Any = importlib.import_module("re._parser")

# ECMA-262 class escapes in ASCII terms: outside a class, then inside one.
_CLASS_ESCAPES = {
    "d": ("[0-9]", "0-9"),
    "w": ("[A-Za-z0-9_]", "A-Za-z0-9_"),
}
_NEGATED_ESCAPES = {"D": "[^0-9]", "W": "[^A-Za-z0-9_]"}
_ALL = frozenset(range(128)) | {-1}  # -1 stands for every character outside ASCII


@dataclass(frozen=True)
class SpecPattern:
    """A compiled spec pattern: ``search(text)`` is JSON Schema's ``pattern`` check."""

    source: str
    engine: str  # "rust" (linear time) or "python" (look-around, checked for backtracking)
    search: Callable[[str], bool]


def ecma_to_engine(pattern: str, *, python: bool) -> str:
    r"""``pattern`` rewritten so either engine reads it as ECMA-262 does.

    ``\d`` and ``\w`` become ASCII classes (both engines default to Unicode); for Python, ``$``
    outside a class becomes ``\Z`` (Python's ``$`` also matches before a final newline).
    """
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            escaped = pattern[i + 1]
            if escaped in _CLASS_ESCAPES:
                out.append(_CLASS_ESCAPES[escaped][1 if in_class else 0])
            elif escaped in _NEGATED_ESCAPES and not in_class:
                out.append(_NEGATED_ESCAPES[escaped])
            else:
                out.append(char + escaped)
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        elif char == "$" and not in_class and python:
            char = r"\Z"
        out.append(char)
        i += 1
    return "".join(out)


@lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> SpecPattern:
    """The pattern on the safest engine that can run it; ``UnsafePattern`` when there is none."""
    rust = _rust(ecma_to_engine(pattern, python=False))
    if rust is not None:
        return SpecPattern(pattern, "rust", rust)
    translated = ecma_to_engine(pattern, python=True)
    try:
        compiled = re.compile(translated)
    except re.error as exc:
        raise UnsafePattern(f"pattern does not compile: {exc}") from None
    risk = backtracking_risk(translated)
    if risk is not None:
        raise UnsafePattern(f"pattern may backtrack catastrophically: {risk}")
    return SpecPattern(pattern, "python", lambda text: compiled.search(text) is not None)


def _rust(pattern: str) -> Callable[[str], bool] | None:
    try:
        validator = SchemaValidator(
            core_schema.str_schema(pattern=pattern, regex_engine="rust-regex")
        )
    except SchemaError:
        return None  # look-around or other syntax Rust lacks: Python's engine, after the check

    # pydantic-core answers the check itself: no Python frame per value (a hot path).
    search: Callable[[str], bool] = validator.isinstance_python
    return search


def backtracking_risk(pattern: str) -> str | None:
    """Why Python's engine could take exponential time on ``pattern``, or None.

    A repetition is refused when its body can match the empty string, or when it holds another
    repetition (or alternatives that can start alike) and no character the body must match is
    one the inner part cannot, so the engine could split one input many ways.
    """
    try:
        tree = sre_parse.parse(pattern)
    except re.error as exc:
        return f"does not compile: {exc}"
    return _risk_in(list(tree))


def _risk_in(items: list[tuple[Any, Any]]) -> str | None:
    for op, arg in items:
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            _low, high, body = arg
            body = list(body)
            if high is sre.MAXREPEAT or high > 1:
                if _min_width(body) == 0:
                    return "a repeated part can match the empty string"
                inner = _ambiguous_chars(body)
                if inner is not None and not _has_separator(body, inner):
                    return "nested repetition with nothing to tell its iterations apart"
            found = _risk_in(body)
        else:
            found = _risk_in(_children(op, arg))
        if found is not None:
            return found
    return None


def _children(op: Any, arg: Any) -> list[tuple[Any, Any]]:
    if op is sre.SUBPATTERN:
        return list(arg[-1])
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        return list(arg[1])
    if op is sre.BRANCH:
        return [item for branch in arg[1] for item in branch]
    return []


def _min_width(items: list[tuple[Any, Any]]) -> int:
    low, _high = sre_parse.SubPattern(sre_parse.State(), items).getwidth()
    return int(low)


def _ambiguous_chars(body: list[tuple[Any, Any]]) -> frozenset[int] | None:
    """Characters an inner repetition or alternation of ``body`` can consume; None when the
    body has neither (a plain sequence repeated is unambiguous).
    """
    found: set[int] = set()
    ambiguous = False
    for op, arg in body:
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            ambiguous = True
            found |= _chars_of(list(arg[2]))
        elif op is sre.BRANCH:
            ambiguous = True
            found |= _chars_of([item for branch in arg[1] for item in branch])
        elif op is sre.SUBPATTERN:
            inner = _ambiguous_chars(list(arg[-1]))
            if inner is not None:
                ambiguous = True
                found |= inner
    return frozenset(found) if ambiguous else None


def _has_separator(body: list[tuple[Any, Any]], inner: frozenset[int]) -> bool:
    """Whether ``body`` must match, outside any repetition, a character ``inner`` cannot."""
    for op, arg in body:
        if op in (sre.LITERAL, sre.IN) and not (_chars_of([(op, arg)]) & inner):
            return True
        if op is sre.SUBPATTERN and _has_separator(list(arg[-1]), inner):
            return True
    return False


def _chars_of(items: list[tuple[Any, Any]]) -> set[int]:
    """Every character ``items`` could consume (ASCII codes; -1 for anything beyond ASCII)."""
    found: set[int] = set()
    for op, arg in items:
        if op is sre.LITERAL:
            found.add(arg if arg < 128 else -1)
        elif op is sre.IN:
            found |= _class_chars(arg)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            found |= _chars_of(list(arg[2]))
        elif op is sre.SUBPATTERN:
            found |= _chars_of(list(arg[-1]))
        elif op is sre.BRANCH:
            found |= _chars_of([item for branch in arg[1] for item in branch])
        elif op in (sre.ANY, sre.NOT_LITERAL, sre.CATEGORY):
            found |= _ALL
    return found


def _class_chars(members: list[tuple[Any, Any]]) -> set[int]:
    found: set[int] = set()
    for op, arg in members:
        if op is sre.NEGATE:
            return set(_ALL)  # a negated class: treat as anything (safe side)
        if op is sre.LITERAL:
            found.add(arg if arg < 128 else -1)
        elif op is sre.RANGE:
            low, high = arg
            found |= set(range(low, min(high, 127) + 1))
            if high >= 128:
                found.add(-1)
        else:  # categories (\s, \d in Unicode mode...): anything, to stay on the safe side
            return set(_ALL)
    return found
