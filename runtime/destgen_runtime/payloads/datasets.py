"""The dataset-export workflow's shared payloads (Data Lake source connection, schedule, dataflow)
and the rules of it that no connection spec states, kept in one place.

Adobe's dataset export page: "Exports to JSON files are supported in a compressed mode only",
while its own examples send JSON with NONE. The targetSpec allows both; this rule does not.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal, Self

from pydantic import AliasChoices, Field, model_validator

from destgen_runtime.api.constants import DATA_LAKE_SPEC_ID
from destgen_runtime.schema.refs import NonEmpty, SpecRef
from destgen_runtime.schema.spec_model import SpecModel, compact


class DatasetTargetModel(SpecModel):
    """Base of every destination's ``DatasetTargetParams``: the spec's rules plus this one."""

    @model_validator(mode="after")
    def _json_is_compressed(self) -> Self:
        file_type = getattr(self, "dataset_file_type", None)
        compression = getattr(self, "compression", None)
        if file_type == "JSON" and compression != "GZIP":
            raise ValueError(
                "datasetFileType JSON needs compression GZIP: Adobe exports JSON datasets "
                "compressed only (a rule of the dataset export page, not of the connection spec)"
            )
        return self


# Folder-name macros of the dataset export page; the two time macros exclude each other.
FOLDER_MACROS = frozenset(
    {
        "DESTINATION",
        "DATASET_NAME",
        "DATASET_ID",
        "DESTINATION_INSTANCE_ID",
        "DESTINATION_INSTANCE_NAME",
        "SANDBOX_NAME",
        "ORGANIZATION_NAME",
        "EXPORT_TIME",
    }
)
_MACRO = re.compile(r"%([A-Z_]+)(\([^)%]*\))?%")
# (exportMode, timeUnit) -> the intervals the page allows: one-time full, daily or hourly
# incremental. 0 (one-time) is outside the API schema's enum, yet it is the page's own example.
SCHEDULES: dict[tuple[str, str], frozenset[int]] = {
    ("DAILY_FULL_EXPORT", "day"): frozenset({0}),
    ("FIRST_FULL_THEN_INCREMENTAL", "day"): frozenset({1}),
    ("FIRST_FULL_THEN_INCREMENTAL", "hour"): frozenset({3, 6, 9, 12}),
}
SIX_MONTHS_WARNING = (
    "scheduleParams has no endTime: Adobe stops a dataset export six months after its creation"
)


class DataLakeSpecRef(SpecRef):
    """The Data Lake source connection spec, the source of every dataset export."""

    id: Literal["23598e46-f560-407b-88d5-ea6207e49db0"]
    version: Literal["1.0"]


class DatasetRef(SpecModel):
    """One dataset a Data Lake source connection exports: its id and name, both required."""

    data_set_id: Annotated[NonEmpty, Field(alias="dataSetId")]
    name: NonEmpty


class DataLakeParams(SpecModel):
    """``params`` of a Data Lake source connection: at least one dataset, fixed once created."""

    datasets: Annotated[list[DatasetRef], Field(min_length=1)]


class DataLakeSourceConnection(SpecModel):
    """``POST /sourceConnections`` body of a dataset export (its dataset list cannot change)."""

    name: NonEmpty
    description: str | None = None
    connection_spec: Annotated[DataLakeSpecRef, Field(alias="connectionSpec")]
    params: DataLakeParams


def check_folder_template(template: str) -> str:
    """Known macros only, and never both ``%DATETIME(...)%`` and ``%EXPORT_TIME%``."""
    found = _MACRO.findall(template)
    unknown = sorted(
        {name for name, args in found if name not in FOLDER_MACROS and name != "DATETIME"}
    )
    if unknown:
        raise ValueError(f"unknown folder-name macro(s) {', '.join(unknown)}")
    names = {name for name, _args in found}
    if {"DATETIME", "EXPORT_TIME"} <= names:
        raise ValueError("%DATETIME(...)% and %EXPORT_TIME% exclude each other")
    return template


class DatasetSchedule(SpecModel):
    """``scheduleParams`` of a dataset dataflow: epoch seconds and one of the page's cadences.

    The folder-name template is read under both documented spellings and sent as
    ``folderNameTemplate``, the API schema's (decisions.md).
    """

    export_mode: Annotated[
        Literal["DAILY_FULL_EXPORT", "FIRST_FULL_THEN_INCREMENTAL"], Field(alias="exportMode")
    ] = "FIRST_FULL_THEN_INCREMENTAL"
    interval: int
    time_unit: Annotated[Literal["hour", "day"], Field(alias="timeUnit")]
    start_time: Annotated[int, Field(alias="startTime", gt=0)]
    end_time: Annotated[int | None, Field(alias="endTime", gt=0)] = None
    folder_name_template: Annotated[
        str | None,
        Field(
            alias="folderNameTemplate",
            validation_alias=AliasChoices("folderNameTemplate", "foldernameTemplate"),
        ),
    ] = None

    @model_validator(mode="after")
    def _cadence(self) -> Self:
        allowed = SCHEDULES.get((self.export_mode, self.time_unit))
        if allowed is None or self.interval not in allowed:
            choices = "; ".join(
                f"{mode} every {'/'.join(map(str, sorted(v)))} {unit}"
                for (mode, unit), v in SCHEDULES.items()
            )
            raise ValueError(
                f"{self.export_mode} every {self.interval} {self.time_unit} is not a documented "
                f"cadence: {choices} (0 days: one time)"
            )
        if self.end_time is not None and self.end_time <= self.start_time:
            raise ValueError("endTime must come after startTime")
        if self.folder_name_template is not None:
            check_folder_template(self.folder_name_template)
        return self

    def warnings(self) -> list[str]:
        """What is valid but likely unintended: no endTime stops the export after six months."""
        return [SIX_MONTHS_WARNING] if self.end_time is None else []


class DatasetDataflow(SpecModel):
    """``POST /flows`` body of a dataset export. Destination packages narrow ``flowSpec``."""

    name: NonEmpty
    description: str | None = None
    flow_spec: Annotated[SpecRef, Field(alias="flowSpec")]
    source_connection_ids: Annotated[
        list[NonEmpty], Field(alias="sourceConnectionIds", min_length=1, max_length=1)
    ]
    target_connection_ids: Annotated[
        list[NonEmpty], Field(alias="targetConnectionIds", min_length=1, max_length=1)
    ]
    # A dataset export transforms nothing: every documented body sends [].
    transformations: Annotated[list[Any], Field(max_length=0)] = Field(default_factory=list)
    schedule_params: Annotated[DatasetSchedule, Field(alias="scheduleParams")]


def data_lake_source_connection(
    *, name: str, datasets: dict[str, str], description: str | None = None
) -> DataLakeSourceConnection:
    """The Data Lake source connection exporting ``datasets`` (dataset id -> name)."""
    return DataLakeSourceConnection.model_validate(
        compact(
            {
                "name": name,
                "description": description,
                "connectionSpec": {"id": DATA_LAKE_SPEC_ID, "version": "1.0"},
                "params": {"datasets": [{"dataSetId": i, "name": n} for i, n in datasets.items()]},
            }
        )
    )


def dataset_schedule(
    *,
    start: dt.datetime,
    time_unit: Literal["hour", "day"],
    interval: int,
    export_mode: Literal["DAILY_FULL_EXPORT", "FIRST_FULL_THEN_INCREMENTAL"] = (
        "FIRST_FULL_THEN_INCREMENTAL"
    ),
    end: dt.datetime | None = None,
    folder_name_template: str | None = None,
) -> DatasetSchedule:
    """A dataset export's schedule; ``start`` and ``end`` are aware datetimes (sent as epoch
    seconds, which is what the API takes).
    """
    return DatasetSchedule.model_validate(
        compact(
            {
                "exportMode": export_mode,
                "interval": interval,
                "timeUnit": time_unit,
                "startTime": _epoch(start, "start"),
                "endTime": None if end is None else _epoch(end, "end"),
                "folderNameTemplate": folder_name_template,
            }
        )
    )


def _epoch(moment: dt.datetime, what: str) -> int:
    if moment.tzinfo is None:
        raise ValueError(f"{what} needs a time zone (an aware datetime): epoch seconds are UTC")
    return int(moment.timestamp())
