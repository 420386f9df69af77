"""Python names for spec things: classes, modules, fields and builder arguments, stable and
readable.

Pure string functions; no knowledge of specs or templates.
"""

from __future__ import annotations

import keyword
import re

_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def words(text: str) -> list[str]:
    """``"s3SecretKey"`` -> ``["s3", "Secret", "Key"]``; punctuation and spaces split words."""
    found: list[str] = []
    for chunk in re.split(r"[^0-9A-Za-z]+", text):
        parts = _WORDS.findall(chunk)
        # Keep a leading letter+digit run ("s3", "E164") together as one word.
        merged: list[str] = []
        for part in parts:
            if part.isdigit() and merged:
                merged[-1] += part
            elif merged and merged[-1].isdigit() and part.islower():
                merged[-1] += part  # an ordinal such as "3rd" is one word
            else:
                merged.append(part)
        found.extend(merged)
    return found


def snake(text: str) -> str:
    """``snake_case`` of a spec name, a valid Python identifier."""
    name = "_".join(w.lower() for w in words(text)) or "value"
    if name[0].isdigit():
        name = "_" + name
    return name + "_" if keyword.iskeyword(name) else name


def pascal(text: str) -> str:
    """``PascalCase`` of a spec name, a valid Python class name."""
    name = "".join(w[:1].upper() + w[1:].lower() for w in words(text)) or "Value"
    if name[0].isdigit():
        name = "N" + name
    return name + "_" if keyword.iskeyword(name) else name  # "None", "True", "False"
