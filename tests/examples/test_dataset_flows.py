"""The rest of the dataset-export workflow as typed payloads: the Data Lake source connection, the
schedule with the documented cadences and folder-name macros, and each destination's dataset
dataflow on its own dataset flow spec.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from destgen_runtime.payloads.datasets import (
    DatasetSchedule,
    data_lake_source_connection,
    dataset_schedule,
)
from destgen_runtime.schema.wire import to_wire
from pydantic import ValidationError

from tests.conftest import DATASET_SLUGS, run_cli

UTC = dt.UTC
START = dt.datetime(2026, 12, 1, tzinfo=UTC)
# Adobe's dataset export tutorial, "Create a dataflow" (S3 tab): its literal body is not JSON
# (a missing comma); this is it corrected, spelling the folder template as the page does.
DOCUMENTED_S3_FLOW: dict[str, Any] = {
    "name": "Activate datasets to an Amazon S3 cloud storage destination",
    "description": "This operation creates a dataflow to export datasets to an Amazon S3 cloud",
    "flowSpec": {"id": "269ba276-16fc-47db-92b0-c1049a3c131f", "version": "1.0"},
    "sourceConnectionIds": ["3f5d2c8a-0000-4000-8000-000000000001"],
    "targetConnectionIds": ["3f5d2c8a-0000-4000-8000-000000000002"],
    "transformations": [],
    "scheduleParams": {
        "exportMode": "FIRST_FULL_THEN_INCREMENTAL",
        "interval": 3,
        "timeUnit": "hour",
        "startTime": 1675901210,
        "endTime": 1975901210,
        "foldernameTemplate": "%DESTINATION%_%DATASET_ID%_%DATETIME(YYYYMMdd_HHmmss)%",
    },
}


def _validate(kind: str, body: Any, tmp_path: Path) -> tuple[int, str]:
    path = tmp_path / f"{kind}.json"
    path.write_text(json.dumps(body))
    done = run_cli("validate", "--kind", kind, str(path))
    return done.returncode, done.stdout + done.stderr


def test_data_lake_source_connection_needs_named_datasets(tmp_path: Path) -> None:
    made = data_lake_source_connection(name="lake", datasets={"5ef3e3": "AAM Devices Data"})
    wire = to_wire(made)
    assert wire["params"] == {"datasets": [{"dataSetId": "5ef3e3", "name": "AAM Devices Data"}]}
    assert _validate("data-lake-source-connection", wire, tmp_path)[0] == 0
    with pytest.raises(ValidationError, match="at least 1 item"):
        data_lake_source_connection(name="lake", datasets={})
    nameless = wire | {"params": {"datasets": [{"dataSetId": "5ef3e3"}]}}
    code, text = _validate("data-lake-source-connection", nameless, tmp_path)
    assert code == 1
    assert "$.params.datasets[0].name: required key is missing" in text


@pytest.mark.parametrize(
    ("mode", "unit", "interval"),
    [
        ("DAILY_FULL_EXPORT", "day", 0),
        ("FIRST_FULL_THEN_INCREMENTAL", "day", 1),
        *[("FIRST_FULL_THEN_INCREMENTAL", "hour", n) for n in (3, 6, 9, 12)],
    ],
)
def test_the_documented_cadences_are_schedules(mode: str, unit: str, interval: int) -> None:
    schedule = dataset_schedule(
        start=START, time_unit=unit, interval=interval, export_mode=mode  # type: ignore[arg-type]
    )
    assert schedule.start_time == int(START.timestamp())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"interval": 8}, "FIRST_FULL_THEN_INCREMENTAL every 8 hour is not a documented cadence"),
        ({"timeUnit": "day", "interval": 3}, "every 3 day is not a documented cadence"),
        ({"exportMode": "DAILY_FULL_EXPORT"}, "DAILY_FULL_EXPORT every 3 hour"),
        ({"endTime": 1}, "endTime must come after startTime"),
        ({"folderNameTemplate": "%DESTINATION%_%NOPE%"}, "unknown folder-name macro(s) NOPE"),
        (
            {"folderNameTemplate": "%DATETIME(YYYYMMdd)%_%EXPORT_TIME%"},
            "%DATETIME(...)% and %EXPORT_TIME% exclude each other",
        ),
    ],
)
def test_schedules_outside_the_documented_rules_are_refused(
    change: dict[str, Any], message: str
) -> None:
    body = {"exportMode": "FIRST_FULL_THEN_INCREMENTAL", "interval": 3, "timeUnit": "hour"}
    with pytest.raises(ValidationError) as caught:
        DatasetSchedule.model_validate(body | {"startTime": 1675901210} | change)
    assert message in str(caught.value)


def test_schedule_times_need_a_time_zone_and_the_template_has_one_spelling_out() -> None:
    with pytest.raises(ValueError, match="start needs a time zone"):
        dataset_schedule(start=dt.datetime(2026, 12, 1), time_unit="day", interval=1)
    read = DatasetSchedule.model_validate(DOCUMENTED_S3_FLOW["scheduleParams"])
    sent = read.model_dump(by_alias=True, exclude_none=True)
    assert "folderNameTemplate" in sent
    assert "foldernameTemplate" not in sent
    assert read.warnings() == []
    assert "six months" in dataset_schedule(start=START, time_unit="day", interval=1).warnings()[0]


@pytest.mark.parametrize("slug", DATASET_SLUGS)
def test_each_destination_builds_its_dataset_dataflow(slug: str) -> None:
    package = importlib.import_module(f"destgen_destinations.{slug}")
    schedule = dataset_schedule(
        start=START, end=START + dt.timedelta(days=90), time_unit="day", interval=1
    )
    flow = package.builders.dataset_dataflow(
        name="datasets", source_connection_id="s", target_connection_id="t", schedule=schedule
    )
    wire = to_wire(flow)
    assert wire["flowSpec"]["id"] == package.spec.DATASET_FLOW_SPEC_ID
    assert wire["transformations"] == []
    assert wire["scheduleParams"]["endTime"] - wire["scheduleParams"]["startTime"] == 90 * 86400


def test_validate_takes_the_documented_dataset_dataflow_and_refuses_the_other_workflow(
    tmp_path: Path,
) -> None:
    assert _validate("dataset-dataflow", DOCUMENTED_S3_FLOW, tmp_path) == (
        0,
        f"{tmp_path / 'dataset-dataflow.json'}: ok (dataset-dataflow)\n",
    )
    no_end = json.loads(json.dumps(DOCUMENTED_S3_FLOW))
    del no_end["scheduleParams"]["endTime"]
    code, text = _validate("dataset-dataflow", no_end, tmp_path)
    assert code == 0
    assert "warning: $.scheduleParams: scheduleParams has no endTime" in text
    audience = DOCUMENTED_S3_FLOW | {
        "flowSpec": {"id": "1a0514a6-33d4-4c7f-aff8-594799c47549", "version": "1.0"}
    }
    code, text = _validate("dataset-dataflow", audience, tmp_path)
    assert code == 1
    assert "1a0514a6-33d4-4c7f-aff8-594799c47549 is the audience export flow spec" in text
    assert "a dataset dataflow takes 269ba276-16fc-47db-92b0-c1049a3c131f" in text
