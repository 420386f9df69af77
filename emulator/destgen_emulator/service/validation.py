"""Request-body checks from the raw connection-spec JSON Schemas (jsonschema) and the documented
rules.

Deliberately written apart from generated/: when both agree, the generator is probably right.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import jsonschema
from destgen_runtime.payloads.connection_patches import encryption_params
from destgen_runtime.schema.json_path import json_path

from destgen_emulator.service.catalog import Destination
from destgen_emulator.service.errors import ApiError, flow, validation
from destgen_emulator.service.spec_validator import SpecValidator, auth_schema, with_synonyms

AUDIENCE_WORKFLOW, DATASET_WORKFLOW = "AUDIENCES", "DATASETS"
FREQUENCIES = {
    "DAILY_FULL_EXPORT": {"ONCE", "DAILY"},
    "FIRST_FULL_THEN_INCREMENTAL": {
        "DAILY",
        "EVERY_3_HOURS",
        "EVERY_6_HOURS",
        "EVERY_8_HOURS",
        "EVERY_12_HOURS",
    },
}


def check_schema(instance: Any, schema: dict[str, Any], prefix: str) -> list[str]:
    """Problems as ``path: rule``; never the offending value, which may be a credential."""
    validator = SpecValidator(schema)
    return sorted(
        f"{json_path(instance, list(e.absolute_path), prefix)}: {_rule(e)}"
        for e in validator.iter_errors(instance)
    )


def _rule(error: jsonschema.ValidationError) -> str:
    if error.validator in ("required", "additionalProperties"):
        return str(error.message)  # names keys, not values
    shown = json.dumps(error.validator_value)
    return f"fails {error.validator} {shown[:120]}"


def audience_target_schema(destination: Destination) -> dict[str, Any]:
    """targetSpec.spec resolved for the audience workflow (see :func:`target_schema`)."""
    return target_schema(destination, AUDIENCE_WORKFLOW)


def target_schema(destination: Destination, workflow: str) -> dict[str, Any]:
    """targetSpec.spec with each ``conditional`` resolved for ``workflow`` (docs/api-contract.md
    §2.1): workflow conditionals drop properties, field conditionals become JSON Schema. Written
    apart from the library's evaluator on purpose: a second opinion.
    """
    schema: dict[str, Any] = copy.deepcopy(destination.rules["targetSpec"]["spec"])
    properties = schema.get("properties", {})
    field_rules = []
    for name, prop in list(properties.items()):
        rule = prop.pop("conditional", None)
        if rule is None:
            continue
        if rule["field"] == "flowSpec.attributes._workflow":
            if not workflow_rule_holds(rule["operator"], workflow, rule["value"]):
                del properties[name]
        else:
            field_rules.append((name, rule))
    schema["required"] = [n for n in schema.get("required", []) if n in properties]
    if field_rules:
        # "name is allowed only when the rule holds": absent, or the rule's schema is met.
        schema["allOf"] = [
            {"anyOf": [{"not": {"required": [name]}}, rule_schema(r)]} for name, r in field_rules
        ]
    return schema


def workflow_rule_holds(operator: str, workflow: str, value: Any) -> bool:
    """The workflow is one word (``AUDIENCES``); every operator the specs may use."""
    outcomes: dict[str, bool] = {
        "EQUALS": workflow == value,
        "NOT_EQUALS": workflow != value,
        "CONTAINS": isinstance(value, str) and value in workflow,
        "NOT_CONTAINS": not (isinstance(value, str) and value in workflow),
    }
    if operator not in outcomes:
        raise ValueError(f"unknown conditional operator {operator!r}")
    return outcomes[operator]


def rule_schema(rule: dict[str, Any]) -> dict[str, Any]:
    """A JSON Schema that an object meets exactly when its ``rule["field"]`` satisfies the rule."""
    field, value = rule["field"], rule["value"]
    equals: dict[str, Any] = {"required": [field], "properties": {field: {"const": value}}}
    contains: dict[str, Any] = {
        "required": [field],
        "properties": {
            field: {
                "anyOf": [
                    {"type": "string", "pattern": re.escape(str(value))},
                    {"type": "array", "contains": {"const": value}},
                ]
            }
        },
    }
    schemas: dict[str, dict[str, Any]] = {
        "EQUALS": equals,
        "NOT_EQUALS": {"not": equals},
        "CONTAINS": contains,
        "NOT_CONTAINS": {"not": contains},
    }
    if rule["operator"] not in schemas:
        raise ValueError(f"unknown conditional operator {rule['operator']!r}")
    return schemas[rule["operator"]]


def require_spec_ref(body: dict[str, Any], key: str) -> dict[str, Any]:
    """The ``key`` spec reference of a body, or a 400 naming the missing field."""
    ref = body.get(key)
    if not isinstance(ref, dict) or not isinstance(ref.get("id"), str):  # also narrows for mypy
        raise validation(f"{key}.id is required", [f"$.{key}.id: required"])
    if key == "connectionSpec" and not ref.get("version"):
        raise ApiError(422, {"message": f"{key}.version 'version' is required for spec info"})
    return dict(ref)


def require_name(body: Any) -> None:
    """A 400 unless the body is an object with a non-empty ``name``."""
    if not isinstance(body, dict):
        raise flow(1405, 400, "The request body must be a JSON object")
    if not isinstance(body.get("name"), str) or not body["name"].strip():
        raise validation("name is required", ["$.name: required non-empty string"])


def base_connection(body: dict[str, Any], destination: Destination) -> None:
    """Validate a base connection's auth (and encryption) params against the raw spec."""
    auth = body.get("auth")
    names = [a["name"] for a in destination.rules["authSpec"]]
    if not names:
        return
    if not isinstance(auth, dict) or auth.get("specName") not in names:
        raise flow(
            1415,
            400,
            f"The auth spec with name {auth.get('specName') if isinstance(auth, dict) else None} "
            f"could not be found for the connection spec ID {destination.spec_id}; one of {names}",
        )
    entry = next(a for a in destination.rules["authSpec"] if a["name"] == auth["specName"])
    # SFTP's port as the builders and validate type it: "port": "22" is refused by both.
    spec = auth_schema(entry.get("type", ""), entry["spec"])
    problems = check_schema(auth.get("params"), spec, "$.auth.params")
    # A malformed encryption (not an object) is checked too, and refused by the schema.
    given = body.get("encryptionSpecs", body.get("encryption")) is not None
    if given and destination.encryption_specs:
        params = encryption_params(body)
        problems += check_schema(
            params,
            with_synonyms(destination.encryption_specs[0]["spec"]),
            "$.encryptionSpecs.params",
        )
    if problems:
        raise validation("The auth params do not match the connection spec", problems)


def params_workflow(params: Any) -> str:
    """The workflow a target connection's params are written for: a target connection is made
    before any flow names its flow spec, so its own file-type key is all there is to go by.
    """
    is_dataset = isinstance(params, dict) and "datasetFileType" in params
    return DATASET_WORKFLOW if is_dataset else AUDIENCE_WORKFLOW


def target_params(params: Any, destination: Destination, workflow: str | None = None) -> None:
    """Validate target connection params against the spec resolved for ``workflow`` (by default
    the one the params are written for).
    """
    workflow = workflow or params_workflow(params)
    problems = check_schema(params, target_schema(destination, workflow), "$.params")
    if (
        workflow == DATASET_WORKFLOW
        and isinstance(params, dict)
        and params.get("datasetFileType") == "JSON"
        and params.get("compression") != "GZIP"
    ):
        # The dataset export page: "Exports to JSON files are supported in a compressed mode
        # only"; the spec allows NONE, the service (and validate) do not.
        problems.append("$.params.compression: datasetFileType JSON is exported with GZIP only")
    if problems:
        raise validation(
            f"The target connection params do not match the connection spec's {workflow} workflow",
            problems,
        )


def selectors(transformations: Any, *, streaming: bool = False) -> None:
    """The documented audience-selector rules over every selector of a flow (docs/api-contract.md
    §5.2); a streaming destination's selector names its audience and nothing a file needs.
    """
    if not isinstance(transformations, list):
        raise validation("transformations must be an array", ["$.transformations: not an array"])
    check = streaming_selector_problems if streaming else selector_problems
    problems = [
        f"{where}: {p}"
        for where, selector in each_selector(transformations)
        for p in check(selector)
    ]
    if problems:
        raise validation("An audience selector breaks a documented rule", problems)


# What only a file export's selector has: a stream sends profiles as they qualify.
FILE_SELECTOR_KEYS = ("filenameTemplate", "exportMode", "schedule")


def streaming_selector_problems(selector: Any) -> list[str]:
    """What is wrong with one audience selector of a streaming destination."""
    if not isinstance(selector, dict) or selector.get("type") != "PLATFORM_SEGMENT":
        return ["type must be PLATFORM_SEGMENT"]
    value = selector.get("value")
    if not isinstance(value, dict) or not value.get("id"):
        return ["value.id is required"]
    return [
        f"value.{key} is not for a streaming destination (it writes no files)"
        for key in FILE_SELECTOR_KEYS
        if key in value
    ]


def profile_selectors(transformations: list[Any], *, streaming: bool) -> None:
    """``profileSelectors``: a streaming flow's exported attributes, each a ``JSON_PATH``
    selector with a path (docs/api-contract.md §5.1); a file-based flow's stay empty.
    """
    problems = []
    for where, selector in each_selector(transformations, "profileSelectors"):
        value = selector.get("value") if isinstance(selector, dict) else None
        if not streaming:
            problems.append(f"{where}: a file-based destination exports through its mapping set")
        elif not isinstance(selector, dict) or selector.get("type") != "JSON_PATH":
            problems.append(f"{where}.type: must be JSON_PATH")
        elif (
            not isinstance(value, dict)
            or not isinstance(value.get("path"), str)
            or not value["path"]
        ):
            problems.append(f"{where}.value.path: required")
    if problems:
        raise validation("A profile selector breaks a documented rule", problems)


def selected_audiences_exist(
    transformations: list[Any], known: set[str], sandbox_name: str
) -> None:
    """Every selector names an audience of the flow's sandbox, as Experience Platform refuses
    to activate an id its segmentation service does not know (a made-up or another sandbox's).
    """
    problems = [
        f"{where}.value.id: no audience {selector['value']['id']} in sandbox {sandbox_name}"
        for where, selector in each_selector(transformations)
        if selector["value"]["id"] not in known
    ]
    if problems:
        raise validation("A selector names an audience that does not exist", problems)


def each_selector(
    transformations: list[Any], kind: str = "segmentSelectors"
) -> Iterator[tuple[str, Any]]:
    """Each selector of ``kind`` (audiences, or a stream's ``profileSelectors``) with its path."""
    for t_index, transformation in enumerate(transformations):
        params = transformation.get("params", {}) if isinstance(transformation, dict) else {}
        found = (params.get(kind) or {}).get("selectors") or []
        for s_index, selector in enumerate(found if isinstance(found, list) else []):
            yield f"$.transformations[{t_index}].params.{kind}.selectors[{s_index}]", selector


def selector_problems(selector: Any) -> list[str]:
    """What is wrong with one audience selector (its schedule and file name template)."""
    if not isinstance(selector, dict) or selector.get("type") != "PLATFORM_SEGMENT":
        return ["type must be PLATFORM_SEGMENT"]
    value = selector.get("value")
    if not isinstance(value, dict) or not value.get("id"):
        return ["value.id is required"]
    problems = _template_problems(value.get("filenameTemplate"))
    mode = value.get("exportMode")
    if mode not in FREQUENCIES:
        return [
            *problems,
            "value.exportMode must be DAILY_FULL_EXPORT or FIRST_FULL_THEN_INCREMENTAL",
        ]
    schedule = value.get("schedule")
    return problems + _schedule_problems(mode, schedule if isinstance(schedule, dict) else {})


def _template_problems(template: Any) -> list[str]:
    if not isinstance(template, str) or not template:
        return ["value.filenameTemplate is required for file-based destinations"]
    if len(template) > 255:
        return ["value.filenameTemplate is longer than 255 characters"]
    if "DATETIME(" in template and "%TIMESTAMP%" in template:
        return ["value.filenameTemplate uses DATETIME and TIMESTAMP together"]
    return []


def _schedule_problems(mode: str, schedule: dict[str, Any]) -> list[str]:
    """An audience schedule's problems under ``mode`` (its frequency, trigger, start and dates)."""
    problems = []
    if schedule.get("frequency") not in FREQUENCIES[mode]:
        problems.append(
            f"schedule.frequency {schedule.get('frequency')} is not allowed with {mode}"
        )
    trigger = schedule.get("triggerType")
    if trigger not in (None, "SCHEDULED", "AFTER_SEGMENT_EVAL"):
        problems.append("schedule.triggerType must be SCHEDULED or AFTER_SEGMENT_EVAL")
    if mode == "DAILY_FULL_EXPORT" and trigger is None:
        problems.append("schedule.triggerType is required with DAILY_FULL_EXPORT")
    start_time = schedule.get("startTime")
    if start_time is not None and not re.fullmatch(r"([01]\d|2[0-3]):00", str(start_time)):
        problems.append("schedule.startTime must be HH:00 (UTC)")
    if start_time is None and (trigger == "SCHEDULED" or mode == "FIRST_FULL_THEN_INCREMENTAL"):
        problems.append("schedule.startTime is required for scheduled and incremental exports")
    return problems + _date_problems(schedule)


def _date_problems(schedule: dict[str, Any]) -> list[str]:
    problems = [
        f"schedule.{key} must be YYYY-MM-DD"
        for key in ("startDate", "endDate")
        if key in schedule and not _is_date(schedule[key])
    ]
    if "startDate" not in schedule:
        problems.append("schedule.startDate is required")
    return problems


def _is_date(text: Any) -> bool:
    if not isinstance(text, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
