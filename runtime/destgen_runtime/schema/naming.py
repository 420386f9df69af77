"""Python names for spec things: classes, modules, fields and builder arguments, and a
destination's slug, stable and readable.

Pure string functions, in the runtime because the generator and the emulator (which stands
without the tool) name a destination alike: its package and its delivery folder.
"""

from __future__ import annotations

import hashlib
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


SLUG_CHARACTERS = re.compile(r"[^a-z0-9_]")
# A slug is a package folder and part of every import: a few words, never a paragraph.
MAX_SLUG = 64
# Names the library's package holds beside the destinations: a slug never takes one.
RESERVED_SLUGS = frozenset({"runtime", "registry", "manifest"})


def slug_of(name: str) -> str:
    """A package name from a spec name: ``"Azure EventHub"`` -> ``azure_event_hub``; stable (the
    name alone decides it), never a keyword or a name the library reserves.
    """
    readable = (
        re.search("[A-Za-z0-9]", name) is not None
    )  # snake() calls a name of no words "value"
    slug = (SLUG_CHARACTERS.sub("", snake(name).strip("_")) if readable else "") or "destination"
    if not slug[0].isalpha():
        slug = f"d_{slug}"
    if len(slug) > MAX_SLUG:
        # A whole sentence of a name: its first words and a digest of all of it, so the package
        # folder stays a name any file system takes and two long names never meet.
        digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        slug = f"{slug[: MAX_SLUG - 9].rstrip('_')}_{digest}"
    if keyword.iskeyword(slug) or slug in RESERVED_SLUGS:
        slug = f"{slug}_destination"
    return slug
