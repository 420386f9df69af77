"""Every benchmark of the project, one table: measure, destgen, the alternative, ratio, target, met.

Each benchmark runs its two sides in the same run; see each module for how.
Run: .venv/bin/python -m bench.all
"""

from __future__ import annotations

import sys

from bench import (
    activation,
    client,
    delivery,
    directory_apply,
    emulator_speed,
    fault_survival,
    generate,
    imports,
    validate,
)
from bench.common import Row, print_table


def main() -> int:
    """Run every benchmark and print one table; exit 1 when a measure misses its target."""
    rows: list[Row] = []
    for module in (
        generate,
        validate,
        imports,
        emulator_speed,
        client,
        activation,
        fault_survival,
        directory_apply,
        delivery,
    ):
        print(f"running {module.__name__} ...", file=sys.stderr, flush=True)
        rows += module.measure()
    print_table(rows)
    return 0 if all(r.met for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
