"""The dataset-export workflow's own rules: Data Lake source connections and the schedule of a
dataset dataflow, as Adobe's dataset export page and its OpenAPI file state them.

Written apart from the library's runtime/payloads/datasets.py on purpose (a second opinion), and
HTTP-free like flowservice.py: parsed bodies in, problems out, or ApiError.
"""

from __future__ import annotations

import re
from typing import Any, TypeGuard

from destgen_runtime.api.constants import DATA_LAKE_SPEC_ID

from destgen_emulator.service.datasets import catalog
from destgen_emulator.service.errors import flow, validation

# (exportMode, timeUnit) -> intervals: one-time full (0 days), daily or hourly incremental.
CADENCES: dict[tuple[str, str], set[int]] = {
    ("DAILY_FULL_EXPORT", "day"): {0},
    ("FIRST_FULL_THEN_INCREMENTAL", "day"): {1},
    ("FIRST_FULL_THEN_INCREMENTAL", "hour"): {3, 6, 9, 12},
}
FOLDER_MACROS = {
    "DESTINATION",
    "DATASET_NAME",
    "DATASET_ID",
    "DESTINATION_INSTANCE_ID",
    "DESTINATION_INSTANCE_NAME",
    "SANDBOX_NAME",
    "ORGANIZATION_NAME",
    "EXPORT_TIME",
    "DATETIME",
}
MACRO = re.compile(r"%([A-Z_]+)(?:\([^)%]*\))?%")
# Epoch seconds past this are milliseconds sent by mistake (year 5138 in seconds).
LAST_PLAUSIBLE_SECOND = 10**11
FOLDER_KEYS = ("folderNameTemplate", "foldernameTemplate")


def is_data_lake(entity: dict[str, Any]) -> bool:
    """Whether a source connection reads the Data Lake (a dataset export's source)."""
    return (entity.get("connectionSpec") or {}).get("id") == DATA_LAKE_SPEC_ID


def source_connection(body: dict[str, Any], sandbox_name: str) -> dict[str, Any]:
    """A Data Lake source connection body checked: at least one dataset, each with ``dataSetId``
    and ``name``, each a dataset of the sandbox's catalog.
    """
    params = body.get("params")
    datasets = params.get("datasets") if isinstance(params, dict) else None
    if not isinstance(datasets, list) or not datasets:
        raise validation(
            "A Data Lake source connection exports at least one dataset",
            ["$.params.datasets: required, at least one {dataSetId, name}"],
        )
    known = {d["id"] for d in catalog(sandbox_name)}
    problems = []
    for i, dataset in enumerate(datasets):
        where = f"$.params.datasets[{i}]"
        if not isinstance(dataset, dict):
            problems.append(f"{where}: must be an object with dataSetId and name")
            continue
        for key in ("dataSetId", "name"):
            if not isinstance(dataset.get(key), str) or not dataset[key]:
                problems.append(f"{where}.{key}: required non-empty string")
        if isinstance(dataset.get("dataSetId"), str) and dataset["dataSetId"] not in known:
            problems.append(f"{where}.dataSetId: no dataset {dataset['dataSetId']} in this sandbox")
    if problems:
        raise validation("The datasets of the source connection are not valid", problems)
    return body | {"typeInfo": {"type": "DataSet", "id": "datalake"}}


def schedule_problems(schedule: Any, where: str = "$.scheduleParams") -> list[str]:
    """Everything wrong with a dataset dataflow's ``scheduleParams``, as ``path: rule`` lines."""
    if not isinstance(schedule, dict):
        return [f"{where}: required object (startTime, interval, timeUnit)"]
    problems = []
    start, end = schedule.get("startTime"), schedule.get("endTime")
    for key, value, required in (("startTime", start, True), ("endTime", end, False)):
        if value is None and not required:
            continue
        if not _is_int(value) or value <= 0:
            problems.append(f"{where}.{key}: required epoch seconds (a positive integer)")
        elif value > LAST_PLAUSIBLE_SECOND:
            problems.append(f"{where}.{key}: epoch seconds, not milliseconds")
    if _is_int(start) and _is_int(end) and end <= start:
        problems.append(f"{where}.endTime: must come after startTime")
    mode = schedule.get("exportMode", "FIRST_FULL_THEN_INCREMENTAL")
    unit, interval = schedule.get("timeUnit"), schedule.get("interval")
    allowed = CADENCES.get((str(mode), str(unit)))
    if allowed is None or not _is_int(interval) or interval not in allowed:
        problems.append(
            f"{where}: {mode} every {interval} {unit} is not a documented cadence (one-time "
            "DAILY_FULL_EXPORT 0 day; FIRST_FULL_THEN_INCREMENTAL 1 day or 3/6/9/12 hour)"
        )
    problems += _folder_problems(schedule, where)
    extra = set(schedule) - {"startTime", "endTime", "exportMode", "timeUnit", "interval"}
    problems += [f"{where}.{key}: unknown field" for key in sorted(extra - set(FOLDER_KEYS))]
    return problems


def _folder_problems(schedule: dict[str, Any], where: str) -> list[str]:
    given = {key: schedule[key] for key in FOLDER_KEYS if key in schedule}
    if len(set(map(str, given.values()))) > 1:
        return [f"{where}: folderNameTemplate and foldernameTemplate disagree; send one"]
    problems = []
    for key, template in given.items():
        if not isinstance(template, str):
            problems.append(f"{where}.{key}: must be a string")
            continue
        names = set(MACRO.findall(template))
        problems += [f"{where}.{key}: unknown macro %{n}%" for n in sorted(names - FOLDER_MACROS)]
        if {"DATETIME", "EXPORT_TIME"} <= names:
            problems.append(f"{where}.{key}: %DATETIME(...)% and %EXPORT_TIME% exclude each other")
    return problems


def check_schedule(schedule: Any) -> None:
    """A 400 listing every schedule problem, or nothing."""
    if problems := schedule_problems(schedule):
        raise validation("The dataset dataflow's scheduleParams are not valid", problems)


def check_transformations(body: dict[str, Any]) -> None:
    """A dataset export transforms nothing: ``transformations`` is absent or empty."""
    if body.get("transformations"):
        raise flow(
            1413,
            400,
            "A dataset dataflow takes no transformations (no audiences, no mapping): send []",
        )


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
