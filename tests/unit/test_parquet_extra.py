"""pyarrow is the parquet extra (170 MB, more than the rest of the tool): without it, CSV and
JSON files are written and previewed as ever, and a PARQUET file says which extra it needs instead
of failing with a traceback.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT

# A fresh interpreter where `import pyarrow` fails, as in an install without the extra.
WITHOUT_PYARROW = (
    "import sys\n"
    "sys.modules['pyarrow'] = None\n"
    "sys.modules['pyarrow.parquet'] = None\n"
    "from destgen.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "loaded = any(m.startswith('pyarrow') and sys.modules[m] for m in list(sys.modules))\n"
    "print('pyarrow loaded:', loaded, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def _preview(example: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_PYARROW, "preview", str(ROOT / "examples" / example)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("example", ["adls_gen2.json", "amazon_s3_datasets.json"])
def test_parquet_without_pyarrow_names_the_extra(example: str) -> None:
    shown = _preview(example)
    assert shown.returncode == 1, shown.stderr
    assert "PARQUET files need pyarrow" in shown.stderr
    assert "pip install 'destgen[parquet]'" in shown.stderr
    assert "Traceback" not in shown.stderr


def test_csv_needs_no_pyarrow() -> None:
    shown = _preview("amazon_s3.json")
    assert shown.returncode == 0, shown.stderr
    assert "pyarrow loaded: False" in shown.stderr
