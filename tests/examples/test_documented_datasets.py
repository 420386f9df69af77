"""The documented dataset-export bodies, checked by ``destgen validate`` with the kind told from
each payload (``--kind auto``): the documented ones pass, the documented mistakes fail with a path.

Fixtures in documented_datasets/, from Adobe's "Export datasets to cloud storage destinations" API
tutorial and its OpenAPI file (DY):
- 10: "Create a source connection" (Data Lake), as published;
- 11: "Create a target connection" (S3 tab), as published; ``_json_uncompressed`` is the same body
  with the ``"compression": "NONE"`` the page's other examples send beside its own warning that
  JSON is exported compressed only;
- 12: "Create a dataflow" (S3 tab), corrected into JSON (the page's literal body is not JSON), with
  the tutorial's ``foldernameTemplate`` spelling; ``_every_8_hours`` takes the UI guide's 8-hour
  cadence, which the API tutorial does not list;
- 13: DY's two dataflow edits (``replace /scheduleParams``, ``replace /sourceConnectionIds``).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from destgen.cli.validate import run_validate

FOLDER = Path(__file__).parent / "documented_datasets"
VALID = {
    "10_source_connection__data_lake": "data-lake-source-connection",
    "11_target_connection__amazon_s3": "dataset-target-connection",
    "12_dataflow__amazon_s3": "dataset-dataflow",
    "13_dataflow_patch__schedule": "dataflow-patch",
    "13_dataflow_patch__source_connection": "dataflow-patch",
}
REJECTED = {
    "11_target_connection__amazon_s3_json_uncompressed": (
        "dataset-target-connection",
        "$.params: datasetFileType JSON needs compression GZIP",
    ),
    "12_dataflow__amazon_s3_every_8_hours": (
        "dataset-dataflow",
        "$.scheduleParams: FIRST_FULL_THEN_INCREMENTAL every 8 hour is not a documented cadence",
    ),
}


def test_documented_dataset_bodies_validate_and_their_mistakes_do_not() -> None:
    assert {p.stem for p in FOLDER.glob("*.json")} == set(VALID) | set(REJECTED)
    out = io.StringIO()
    assert run_validate("auto", None, [FOLDER], out=out, as_json=True) == 1
    files = {Path(f["file"]).stem: f for f in json.loads(out.getvalue())["files"]}
    for name, kind in VALID.items():
        assert files[name]["kind"] == kind, name
        assert files[name]["status"] == "ok", files[name]
    for name, (kind, problem) in REJECTED.items():
        assert files[name]["kind"] == kind, name
        assert [p for p in files[name]["problems"] if p.startswith(problem)], files[name]
    # The corrected tutorial body sets an endTime, so it carries no six-month warning.
    assert files["12_dataflow__amazon_s3"]["warnings"] == []


def test_auto_kind_tells_every_payload_or_says_it_cannot(tmp_path: Path) -> None:
    odd = tmp_path / "odd.json"
    odd.write_text('{"name": "what am I"}')
    out = io.StringIO()
    assert run_validate("auto", None, [odd], out=out) == 1
    assert out.getvalue().startswith(f"{odd}: $: cannot tell what this payload is")
    assert "pass --kind" in out.getvalue()
