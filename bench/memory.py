"""Peak memory validating 10,000 payloads: the destination's written checks (``checks.py``,
pydantic-core without pydantic) beside jsonschema's Draft 7 validator on the raw spec, each in a
fresh interpreter that loads the same payload file, imports only what its side needs and reports
its peak resident size (VmHWM) at the end. The models themselves are a reference row.
Run: .venv/bin/python -m bench.memory
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import Row, lower_is_better, print_table, reference
from bench.validate import COUNT, SPEC, payloads

ROOT = Path(__file__).resolve().parent.parent

CHECKS_SIDE = """
import json, sys
from destgen_destinations.amazon_s3 import checks
assert "pydantic" not in sys.modules  # pydantic-core only
checking = {"target": checks.TargetParams, "auth": checks.AccessKeyParams}
valid = sum(1 for kind, body in json.load(open(sys.argv[1])) if checking[kind].is_valid(body))
print(valid, HIGH_WATER())
"""
MODELS_SIDE = """
import json, sys
import destgen_destinations.amazon_s3 as s3
models = {"target": s3.models.TargetParams, "auth": s3.models.AccessKeyParams}
valid = 0
for kind, body in json.load(open(sys.argv[1])):
    try:
        models[kind].model_validate(body, by_alias=True, by_name=False)
        valid += 1
    except Exception:
        pass
print(valid, HIGH_WATER())
"""
JSONSCHEMA_SIDE = """
import json, sys
import jsonschema
spec = json.load(open(sys.argv[2]))
target = spec["targetSpec"]["spec"]
target["required"] = [r for r in target["required"] if r != "datasetFileType"]
validators = {
    "target": jsonschema.Draft7Validator(target),
    "auth": jsonschema.Draft7Validator(spec["authSpec"][0]["spec"]),
}
valid = sum(1 for kind, body in json.load(open(sys.argv[1])) if validators[kind].is_valid(body))
print(valid, HIGH_WATER())
"""
# pydantic's floor: the same payloads loaded and the model machinery imported, nothing validated.
PYDANTIC_FLOOR = """
import json, sys
from pydantic import BaseModel, Field
print(len(json.load(open(sys.argv[1]))), HIGH_WATER())
"""
# The process's own peak resident size in KB. Not ru_maxrss: on Linux it keeps the parent's peak
# across fork and exec, so every child would report the benchmark's own size.
HIGH_WATER = """
def HIGH_WATER():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise SystemExit("no VmHWM in /proc/self/status")
"""


def peak(program: str, payload_file: Path, spec_file: Path) -> tuple[int, float]:
    """(valid count, peak resident MB) of ``program`` run in a fresh interpreter."""
    ran = subprocess.run(
        [sys.executable, "-c", HIGH_WATER + program, str(payload_file), str(spec_file)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=300,
    )
    valid, kilobytes = ran.stdout.split()
    return int(valid), int(kilobytes) / 1024


def measure() -> list[Row]:
    """Peak resident memory of each side, best of three runs each, interleaved."""
    with tempfile.TemporaryDirectory() as folder:
        payload_file, spec_file = Path(folder) / "payloads.json", Path(folder) / "spec.json"
        payload_file.write_text(json.dumps(payloads()))
        spec_file.write_text(json.dumps(SPEC))
        ours, models, theirs, floor = (float("inf"),) * 4
        for _ in range(3):
            ours_valid, used = peak(CHECKS_SIDE, payload_file, spec_file)
            ours = min(ours, used)
            models_valid, used = peak(MODELS_SIDE, payload_file, spec_file)
            models = min(models, used)
            theirs_valid, used = peak(JSONSCHEMA_SIDE, payload_file, spec_file)
            theirs = min(theirs, used)
            floor = min(floor, peak(PYDANTIC_FLOOR, payload_file, spec_file)[1])
        # The same verdicts (the checks are the models' own, exactly); jsonschema reads the raw
        # spec, which differs from the models on a handful of payloads.
        assert ours_valid == models_valid, (ours_valid, models_valid)
        assert abs(ours_valid - theirs_valid) < COUNT * 0.01, (ours_valid, theirs_valid)
    return [
        lower_is_better(
            f"peak memory validating {COUNT} payloads, checks vs jsonschema (fresh interpreter)",
            ours,
            theirs,
            "MB",
            1.0,
        ),
        reference("  the models themselves (model_validate) vs jsonschema", models, theirs, "MB"),
        reference(
            "  floor: the payloads and `from pydantic import BaseModel, Field` vs jsonschema",
            floor,
            theirs,
            "MB",
        ),
    ]


if __name__ == "__main__":
    print_table(measure())
