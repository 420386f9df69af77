"""JSON paths as users see them: ``$.params.csvOptions[0].delimiter``, for every message we print.

One function turns a pydantic error location into a path that exists in the user's document.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def json_path(data: Any, loc: Sequence[int | str], root: str = "$") -> str:
    """The path of ``loc`` inside ``data``, skipping the union tags pydantic inserts.

    Walking the document tells a real key (``$.a.b``) or index (``$.a[0]``) from a tag such as
    ``AccessKeyAuth`` or ``function-after[...]``; a missing key is still named, since that is the
    problem being reported.
    """
    path, node = root, data
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path, node = f"{path}[{part}]", node[part]
        elif isinstance(node, dict) and isinstance(part, str) and part in node:
            path, node = f"{path}.{part}", node[part]
        elif isinstance(part, int):
            path, node = f"{path}[{part}]", None
        elif isinstance(node, dict) and not last:
            # Not a key of this object and not where the error is: a tag such as "rename" that
            # pydantic put between an object and its field ($[0].rename.op is $[0].op).
            continue
        elif _is_key_like(part):
            path, node = f"{path}.{part}", None
    return path


def _is_key_like(part: str) -> bool:
    # Union tags pydantic adds look like class names or kebab tags; missing keys like wire keys.
    return part[:1].islower() and "-" not in part and "[" not in part


def pointer_child(pointer: str, *parts: str | int) -> str:
    """``pointer`` extended by ``parts``, escaped per RFC 6901 (``~`` and ``/`` in keys)."""
    for part in parts:
        pointer += "/" + str(part).replace("~", "~0").replace("/", "~1")
    return pointer
