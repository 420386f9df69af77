"""How far the property tests look: the suite's fixed examples, or `make fuzz`'s random many.

Importing this registers both Hypothesis profiles and loads the one DESTGEN_FUZZ_DEPTH asks for.
The suite (no variable) is derandomized: the same examples on every run, so a failure is a bug
that reproduces, never a flake; bounded, with no example database written into the checkout.
`make fuzz` sets a depth: every property test draws that many times its examples, from the
run's seed (`make fuzz` picks one and prints it; `make fuzz SEED=N` draws the same again).
Random hunts of this kind found bugs the derandomized examples never reached.

Its own module, not conftest.py: tests/corpus_differential.py runs the agreement checks in a
process of its own, without pytest's conftest, and must look as far.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings


def _depth() -> int:
    text = os.environ.get("DESTGEN_FUZZ_DEPTH", "").strip() or "1"
    if not text.isdigit() or int(text) < 1:
        raise pytest.UsageError(f"DESTGEN_FUZZ_DEPTH must be a whole number >= 1, got {text!r}")
    return int(text)


FUZZ_DEPTH = _depth()
_BOTH = settings(database=None, deadline=None, suppress_health_check=list(HealthCheck))
settings.register_profile("destgen", _BOTH, derandomize=True)
# print_blob: a failure also prints the @reproduce_failure line that replays that one example.
settings.register_profile("fuzz", _BOTH, derandomize=False, print_blob=True)
settings.load_profile("fuzz" if FUZZ_DEPTH > 1 else "destgen")


def fuzz_examples(count: int) -> int:
    """A property test's example count: ``count`` in the suite, DESTGEN_FUZZ_DEPTH times as many
    under `make fuzz`.
    """
    return count * FUZZ_DEPTH
