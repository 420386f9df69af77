"""Audience selectors: PLATFORM_SEGMENT entries with export mode, schedule and file-name template
(file-based destinations), or the audience alone (streaming destinations).

Encodes the documented schedule rules (docs/api-contract.md §5.2, §5.3); it does not know about
dataflows.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from destgen_runtime.schema.refs import NonEmpty
from destgen_runtime.schema.spec_model import SpecModel, compact

ExportMode = Literal["DAILY_FULL_EXPORT", "FIRST_FULL_THEN_INCREMENTAL"]
Frequency = Literal[
    "ONCE", "DAILY", "EVERY_3_HOURS", "EVERY_6_HOURS", "EVERY_8_HOURS", "EVERY_12_HOURS"
]
TriggerType = Literal["AFTER_SEGMENT_EVAL", "SCHEDULED"]

FREQUENCIES_BY_MODE: dict[str, frozenset[str]] = {
    "DAILY_FULL_EXPORT": frozenset({"ONCE", "DAILY"}),
    "FIRST_FULL_THEN_INCREMENTAL": frozenset(
        {"DAILY", "EVERY_3_HOURS", "EVERY_6_HOURS", "EVERY_8_HOURS", "EVERY_12_HOURS"}
    ),
}
FILENAME_MAX_LENGTH = 255
_START_TIME = re.compile(r"([01][0-9]|2[0-3]):00")
_DATETIME_TOKEN = re.compile(r"DATETIME\([^)]*\)")
_TIMESTAMP_TOKEN = "%TIMESTAMP%"


def _iso_date(value: str, field: str) -> str:
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError(f"{field} must be a date written YYYY-MM-DD, got {value!r}")
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{field} {value!r} is not a calendar date") from None
    return value


class Schedule(SpecModel):
    """When an audience is exported. Times are UTC; startTime minutes must be 00."""

    frequency: Annotated[
        Frequency,
        Field(
            description="DAILY_FULL_EXPORT: ONCE or DAILY; FIRST_FULL_THEN_INCREMENTAL: DAILY or "
            "EVERY_3/6/8/12_HOURS"
        ),
    ]
    trigger_type: Annotated[
        TriggerType | None,
        Field(
            alias="triggerType",
            description="required with DAILY_FULL_EXPORT: AFTER_SEGMENT_EVAL (after the daily "
            "evaluation, no startTime) or SCHEDULED (at startTime)",
        ),
    ] = None
    start_date: Annotated[
        str, Field(alias="startDate", description="first export day, YYYY-MM-DD (UTC)")
    ]
    end_date: Annotated[
        str | None,
        Field(
            alias="endDate",
            description="last export day, YYYY-MM-DD, not before startDate; not for ONCE",
        ),
    ] = None
    start_time: Annotated[
        str | None,
        Field(
            alias="startTime",
            description="HH:00 in UTC (minutes 00); required for SCHEDULED and incremental "
            "exports, not allowed with AFTER_SEGMENT_EVAL",
        ),
    ] = None

    @field_validator("start_date")
    @classmethod
    def _start_date(cls, value: str) -> str:
        return _iso_date(value, "startDate")

    @field_validator("end_date")
    @classmethod
    def _end_date(cls, value: str | None) -> str | None:
        return None if value is None else _iso_date(value, "endDate")

    @field_validator("start_time")
    @classmethod
    def _start_time(cls, value: str | None) -> str | None:
        if value is not None and not _START_TIME.fullmatch(value):
            raise ValueError(
                f"startTime must be HH:00 in UTC (24-hour clock, minutes 00), got {value!r}"
            )
        return value

    @model_validator(mode="after")
    def _dates_in_order(self) -> Schedule:
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError(f"endDate {self.end_date} is before startDate {self.start_date}")
        return self


def check_filename_template(template: str) -> str:
    """The documented file-name rules: DATETIME and TIMESTAMP exclusive, 255 characters at most."""
    if not template.strip():
        raise ValueError("filenameTemplate must not be empty")
    if len(template) > FILENAME_MAX_LENGTH:
        raise ValueError(
            f"filenameTemplate is {len(template)} characters; file names are limited to "
            f"{FILENAME_MAX_LENGTH}"
        )
    if _DATETIME_TOKEN.search(template) and _TIMESTAMP_TOKEN in template:
        raise ValueError(
            "filenameTemplate uses both DATETIME(...) and %TIMESTAMP%; they are mutually exclusive"
        )
    return template


# The file-name macros the destination docs define; %DATETIME(...)% takes Java date tokens.
FILENAME_MACROS = ("DESTINATION_NAME", "SEGMENT_ID", "SEGMENT_NAME", "TIMESTAMP")
# What looks like a macro (upper-case words) rather than the custom text the docs allow between
# percent signs ("%this is custom text%").
_MACRO_LIKE = re.compile(r"%([A-Z][A-Z0-9_]*)%")


def template_warnings(template: str) -> list[str]:
    """Warnings for ``%WORD%`` in a file name template that is no macro (``%SEGMENT_NAM%``): it
    is valid, but written as its text with the percent signs dropped, likely not what was meant.
    """
    known = ", ".join(f"%{m}%" for m in (*FILENAME_MACROS, "DATETIME(...)"))
    return [
        f"%{word}% is no file name macro: it is written as the text {word!r} (macros: {known})"
        for word in _MACRO_LIKE.findall(template)
        if word not in FILENAME_MACROS
    ]


class EnrichmentMappingSet(SpecModel):
    """The mapping set of enrichment attributes: its id and version."""

    id: NonEmpty
    version: Annotated[int, Field(ge=0)]


class EnrichmentInfo(SpecModel):
    """Enrichment attributes of a custom-upload audience (Adobe's OpenAPI examples)."""

    enabled: bool = True
    source_type: Annotated[str | None, Field(alias="sourceType")] = None
    mapping_set: Annotated[EnrichmentMappingSet | None, Field(alias="mappingSet")] = None


class AudienceValue(SpecModel):
    """The ``value`` of a PLATFORM_SEGMENT selector."""

    id: Annotated[NonEmpty, Field(description="the audience id in the sandbox")]
    # External and custom-upload audiences (Adobe's OpenAPI examples): the id Experience Platform
    # gave the audience and where it came from.
    system_segment_id: Annotated[
        str | None, Field(alias="systemSegmentId", description="external audiences: their own id")
    ] = None
    namespace: Annotated[
        str | None, Field(description="where the audience comes from (ups, CustomerAudienceUpload)")
    ] = None
    name: Annotated[
        str | None, Field(description="the audience's name; promote resolves ids by it")
    ] = None
    description: str | None = None
    # docs/api-contract.md §12.4: every example and GET uses filenameTemplate; only DY's schema says
    # fileNameTemplate.
    filename_template: Annotated[
        str,
        Field(
            alias="filenameTemplate",
            description="file name with macros (%DESTINATION_NAME%, %SEGMENT_ID%, "
            "%SEGMENT_NAME%, %DATETIME(...)% or %TIMESTAMP%, not both); at most 255 characters",
        ),
    ]
    export_mode: Annotated[
        ExportMode,
        Field(
            alias="exportMode",
            description="DAILY_FULL_EXPORT (every file whole) or FIRST_FULL_THEN_INCREMENTAL",
        ),
    ]
    schedule: Annotated[Schedule, Field(description="when files are written; see Schedule")]
    # System-generated epoch seconds as strings; clients echo them back on replace (UPD).
    create_time: Annotated[str | None, Field(alias="createTime", pattern=r"^[0-9]+$")] = None
    update_time: Annotated[str | None, Field(alias="updateTime", pattern=r"^[0-9]+$")] = None
    enrichment_info: Annotated[EnrichmentInfo | None, Field(alias="enrichmentInfo")] = None

    @field_validator("filename_template")
    @classmethod
    def _template(cls, value: str) -> str:
        return check_filename_template(value)

    @model_validator(mode="after")
    def _schedule_matches_mode(self) -> AudienceValue:
        mode, schedule = self.export_mode, self.schedule
        allowed = FREQUENCIES_BY_MODE[mode]
        if schedule.frequency not in allowed:
            raise ValueError(
                f"schedule.frequency {schedule.frequency} is not allowed with exportMode {mode}; "
                f"allowed: {', '.join(sorted(allowed))}"
            )
        if mode == "DAILY_FULL_EXPORT":
            if schedule.trigger_type is None:
                raise ValueError(
                    "schedule.triggerType is required when exportMode is DAILY_FULL_EXPORT"
                )
            if schedule.frequency == "ONCE" and schedule.end_date is not None:
                raise ValueError("schedule.endDate does not apply to a ONCE export")
            if schedule.trigger_type == "AFTER_SEGMENT_EVAL" and schedule.start_time is not None:
                raise ValueError(
                    "schedule.startTime does not apply with triggerType AFTER_SEGMENT_EVAL"
                )
        needs_time = schedule.trigger_type == "SCHEDULED" or mode == "FIRST_FULL_THEN_INCREMENTAL"
        if needs_time and schedule.start_time is None:
            raise ValueError(
                "schedule.startTime (HH:00, UTC) is required for scheduled and incremental exports"
            )
        return self


class AudienceSelector(SpecModel):
    """``{"type": "PLATFORM_SEGMENT", "value": {...}}``: one audience of a dataflow."""

    type: Literal["PLATFORM_SEGMENT"] = "PLATFORM_SEGMENT"
    value: AudienceValue


class StreamingAudienceValue(SpecModel):
    """The ``value`` of a selector of a streaming destination: the audience alone. Profiles are
    sent as they qualify, so there is no file name, export mode or schedule (and giving one is
    an error, not silently dropped).
    """

    id: Annotated[NonEmpty, Field(description="the audience id in the sandbox")]
    name: Annotated[
        str | None, Field(description="the audience's name; promote resolves ids by it")
    ] = None
    description: str | None = None
    namespace: Annotated[
        str | None, Field(description="where the audience comes from (ups, CustomerAudienceUpload)")
    ] = None
    create_time: Annotated[str | None, Field(alias="createTime", pattern=r"^[0-9]+$")] = None
    update_time: Annotated[str | None, Field(alias="updateTime", pattern=r"^[0-9]+$")] = None


class StreamingAudienceSelector(SpecModel):
    """One audience of a streaming destination's dataflow."""

    type: Literal["PLATFORM_SEGMENT"] = "PLATFORM_SEGMENT"
    value: StreamingAudienceValue


# Either kind, as a dataflow PATCH carries it: the destination decides which its flows take.
AnyAudienceSelector = AudienceSelector | StreamingAudienceSelector


def audience(
    *,
    id: str,
    filename_template: str,
    export_mode: ExportMode,
    frequency: Frequency,
    start_date: str,
    trigger_type: TriggerType | None = None,
    end_date: str | None = None,
    start_time: str | None = None,
    name: str | None = None,
    description: str | None = None,
    create_time: str | None = None,
    update_time: str | None = None,
) -> AudienceSelector:
    """One audience to export, with its schedule; raises ValidationError on a documented rule."""
    return AudienceSelector.model_validate(
        compact(
            {
                "type": "PLATFORM_SEGMENT",
                "value": {
                    "id": id,
                    "name": name,
                    "description": description,
                    "filenameTemplate": filename_template,
                    "exportMode": export_mode,
                    "schedule": {
                        "frequency": frequency,
                        "triggerType": trigger_type,
                        "startDate": start_date,
                        "endDate": end_date,
                        "startTime": start_time,
                    },
                    "createTime": create_time,
                    "updateTime": update_time,
                },
            }
        )
    )
