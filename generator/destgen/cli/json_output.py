"""The one writer of ``--json`` reports: every report is an object that opens with its
``format_version``, so a script can tell a shape it knows from a newer one.

Documents that are something else (an activation file from ``export``, the JSON Schema from
``activation-schema``) are printed as they are; ``destinations --json`` keeps its list.
"""

from __future__ import annotations

import json
import sys
from typing import IO, Any

# Raised when a report's shape changes in a way a reader must notice (a key removed or renamed).
FORMAT_VERSION = 1


def print_report(document: dict[str, Any], out: IO[str] | None = None) -> None:
    """``document`` as indented JSON with ``format_version`` first."""
    print(
        json.dumps({"format_version": FORMAT_VERSION, **document}, indent=2),
        file=out or sys.stdout,
    )
