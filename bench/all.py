"""Every benchmark of the project, one table: measure, destgen, the alternative, ratio, target, met.

Each benchmark runs its two sides in the same run; see each module for how.
Run: .venv/bin/python -m bench.all (``make bench``); ``make bench-smoke`` runs every module at a
tiny size (DESTGEN_BENCH_SMOKE=1) to show that each still runs.
"""

from __future__ import annotations

import sys
import traceback

from bench import (
    activation,
    client,
    delivery,
    directory_apply,
    emulator_speed,
    fault_survival,
    generate,
    imports,
    memory,
    validate,
)
from bench.common import SMOKE, Row, print_header, print_row

MODULES = (
    generate,
    validate,
    memory,
    imports,
    emulator_speed,
    client,
    activation,
    fault_survival,
    directory_apply,
    delivery,
)


def main() -> int:
    """Run every benchmark, printing each row as it is measured (a crash shows no fewer figures
    than it must); a module that fails is reported and the others still run. Exit 1 when a
    module failed or (not in smoke mode) a measure missed its target.
    """
    rows: list[Row] = []
    failed: list[str] = []
    print_header()
    for module in MODULES:
        name = module.__name__
        print(f"running {name} ...", file=sys.stderr, flush=True)
        try:
            for row in module.measure():
                rows.append(row)
                print_row(row)
        except Exception as exc:  # one benchmark's crash never hides the others' figures
            failed.append(name)
            print(f"FAILED {name}: {type(exc).__name__}: {exc}", flush=True)
            traceback.print_exc(file=sys.stderr)
    if failed:
        print(f"{len(failed)} benchmark module(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    if SMOKE:
        return 0  # tiny sizes: the figures say nothing about the targets
    return 0 if all(r.met for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
