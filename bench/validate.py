"""Offline validation throughput: generated models beside jsonschema's Draft 7 validator on the raw
spec, the same 10,000 target-connection and base-connection payloads, side by side in one run; and
10,000 dataset-export target params beside jsonschema on the spec's DATASETS workflow. The same
dicts beside fastjsonschema (the schema compiled once to Python), the fastest validator a user
would pick instead: destgen's ``is_valid`` (the model's verdict, no model built) for the same
question, valid or not, and the models themselves (instances and errors) as a reference.
Run: .venv/bin/python -m bench.validate
"""

from __future__ import annotations

import copy
import gc
import json
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

import fastjsonschema
import jsonschema
from destgen_runtime import is_valid, is_valid_json
from pydantic import BaseModel, ConfigDict, Field

import destgen_destinations.amazon_s3 as s3
from bench.common import Row, higher_is_better, print_table, reference, sized

ROOT = Path(__file__).resolve().parent.parent

COUNT = sized(10_000, 200)
SPEC = json.loads((ROOT / "specs_cache" / "amazon_s3.json").read_text())


def payloads(seed: int = 1) -> list[tuple[str, dict[str, Any]]]:
    """Half target params, half access-key auth params; about one in five invalid."""
    chance = random.Random(seed)
    out: list[tuple[str, dict[str, Any]]] = []
    for n in range(COUNT):
        if n % 2:
            body: dict[str, Any] = {
                "bucketName": f"bucket-{n % 97}",
                "path": f"audiences/{n}",
                "compression": chance.choice(["GZIP", "NONE"]),
                "fileType": chance.choice(["CSV", "JSON", "PARQUET"]),
            }
            if body["fileType"] == "CSV":
                body["csvOptions"] = {
                    "delimiter": chance.choice([",", "|", "\t"]),
                    "quote": "",
                    "escape": "\\",
                }
            if chance.random() < 0.2:
                body["compression"] = "ZIP"
            out.append(("target", body))
        else:
            body = {
                "s3AccessKey": "AKIAIOSFODNN7EXAMPLE",
                "s3SecretKey": "".join(chance.choice("abcXYZ019+/") for _ in range(40)),
            }
            if chance.random() < 0.2:
                body["s3SecretKey"] = body["s3SecretKey"][:20]
            out.append(("auth", body))
    return out


def dataset_payloads(seed: int = 2) -> list[tuple[str, dict[str, Any]]]:
    """Dataset-export target params; about one in five invalid (an unknown compression, or JSON
    without GZIP, the dataset page's rule).
    """
    chance = random.Random(seed)
    out: list[tuple[str, dict[str, Any]]] = []
    for n in range(COUNT):
        body = {
            "bucketName": f"bucket-{n % 97}",
            "path": f"datasets/{n}",
            "datasetFileType": chance.choice(["JSON", "PARQUET"]),
            "compression": "GZIP",
        }
        if chance.random() < 0.1:
            body["compression"] = "ZIP"
        elif chance.random() < 0.1:
            body |= {"datasetFileType": "JSON", "compression": "NONE"}
        out.append(("dataset", body))
    return out


def dataset_schema() -> dict[str, Any]:
    """targetSpec.spec for the DATASETS workflow, as a jsonschema user would write it by hand:
    the audience-only keys dropped and the JSON-needs-GZIP rule added as if/then.
    """
    schema: dict[str, Any] = copy.deepcopy(SPEC["targetSpec"]["spec"])
    for key in ("fileType", "csvOptions"):
        schema["properties"].pop(key)
    schema["required"] = [r for r in schema["required"] if r != "fileType"]
    schema["if"] = {"properties": {"datasetFileType": {"const": "JSON"}}}
    schema["then"] = {"properties": {"compression": {"const": "GZIP"}}}
    return schema


MODELS: dict[str, type[BaseModel]] = {
    "target": s3.models.TargetParams,
    "auth": s3.models.AccessKeyParams,
    "dataset": s3.models.DatasetTargetParams,
}


def validating_with(models: dict[str, type[BaseModel]]) -> Callable[..., int]:
    """A validator of every payload with ``models`` (by kind), from dicts or JSON text (what
    `destgen validate` does with a payload file); it returns how many were valid.
    """

    def validate(items: list[tuple[str, Any]], *, from_text: bool) -> int:
        valid = 0
        for kind, body in items:
            try:
                if from_text:
                    models[kind].model_validate_json(body, by_alias=True, by_name=False)
                else:
                    models[kind].model_validate(body, by_alias=True, by_name=False)
                valid += 1
            except ValueError:  # pydantic's ValidationError
                pass
        return valid

    return validate


# The generated models.
with_models = validating_with(MODELS)


def with_is_valid(items: list[tuple[str, Any]], *, from_text: bool) -> int:
    """How many payloads are valid, by destgen's ``is_valid``: the models' verdict, none built."""
    check = is_valid_json if from_text else is_valid
    return sum(1 for kind, body in items if check(MODELS[kind], body))


def with_jsonschema(items: list[tuple[str, Any]], *, from_text: bool) -> int:
    """Validate every payload with jsonschema against the raw spec; return how many were valid."""
    validators = {
        "target": jsonschema.Draft7Validator(_audience_target()),
        "auth": jsonschema.Draft7Validator(SPEC["authSpec"][0]["spec"]),
        "dataset": jsonschema.Draft7Validator(dataset_schema()),
    }
    return sum(
        1
        for kind, body in items
        if validators[kind].is_valid(json.loads(body) if from_text else body)
    )


def _audience_target() -> dict[str, Any]:
    target: dict[str, Any] = copy.deepcopy(SPEC["targetSpec"]["spec"])
    target["required"] = [r for r in target["required"] if r != "datasetFileType"]
    return target


COMPILED = {
    "target": fastjsonschema.compile(_audience_target()),
    "auth": fastjsonschema.compile(SPEC["authSpec"][0]["spec"]),
    "dataset": fastjsonschema.compile(dataset_schema()),
}


def with_fastjsonschema(items: list[tuple[str, Any]], *, from_text: bool) -> int:
    """Validate every payload with fastjsonschema (compiled once); return how many were valid."""
    valid = 0
    for kind, body in items:
        try:
            COMPILED[kind](json.loads(body) if from_text else body)
            valid += 1
        except fastjsonschema.JsonSchemaException:
            pass
    return valid


Validator = Any  # with_models, with_jsonschema or with_fastjsonschema


class _Bare(BaseModel):
    """Strict and closed, patterns on Python's engine (the bucket name needs look-around)."""

    model_config = ConfigDict(extra="forbid", strict=True, regex_engine="python-re")


class BareCsvOptions(_Bare):
    """The target's CSV options: five enums with their defaults."""

    delimiter: Literal[",", "\t", "|", ";", ":"] = ","
    quote: Literal['"', ""] = ""
    escape: Literal["\\", "'"] = "\\"
    null_value: Annotated[Literal["null", '""', ""], Field(alias="nullValue")] = "null"
    empty_value: Annotated[Literal["null", '""', ""], Field(alias="emptyValue")] = ""


class BareTarget(_Bare):
    """pydantic's floor for the target: the spec's fields, enums and patterns (in ECMA terms,
    checked inside pydantic-core), strict and closed; nothing of destgen's.
    """

    bucket_name: Annotated[
        str,
        Field(
            alias="bucketName",
            pattern=r"(?=^.{3,63}\Z)(?!^([0-9]+\.)+[0-9]+\Z)"
            r"(^(([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])\.)*([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])\Z)",
        ),
    ]
    path: Annotated[
        str, Field(pattern=r"^[0-9a-zA-Z/\!\-_\.\*\''\(\)]*((\%SEGMENT_(NAME|ID)\%)?/?)+\Z")
    ]
    file_type: Annotated[Literal["CSV", "JSON", "PARQUET"], Field(alias="fileType")]
    csv_options: Annotated[BareCsvOptions | None, Field(alias="csvOptions")] = None
    compression: Literal["NONE", "GZIP"]
    mode: Literal["Server-to-server"] = "Server-to-server"
    include_file_manifest: Annotated[bool | None, Field(alias="includeFileManifest")] = None


class BareAuth(_Bare):
    """pydantic's floor for the access-key auth: two patterned strings, the secret a plain one."""

    s3_access_key: Annotated[str, Field(alias="s3AccessKey", pattern=r"^[A-Z2-7]{20}$")]
    s3_secret_key: Annotated[str, Field(alias="s3SecretKey", pattern=r"^[A-Za-z0-9\/\+]{40}$")]


BARE: dict[str, type[BaseModel]] = {"target": BareTarget, "auth": BareAuth}


# What any pydantic model of these schemas costs: no secret kept out of errors, no null or
# conditional check. Whatever destgen adds, its models cannot be faster than this.
with_bare_pydantic = validating_with(BARE)


def _rates(
    items: list[tuple[str, Any]],
    from_text: bool,
    baseline: Validator = None,
    ours: Validator = None,
) -> tuple[float, float, int, int]:
    """Best of five for each side, interleaved (ours, theirs, ours, ...) with the collector off,
    so a noisy neighbour slows both sides alike rather than one phase.
    """
    baseline = baseline or with_jsonschema
    ours = ours or with_models
    best = {ours: float("inf"), baseline: float("inf")}
    valid = dict.fromkeys(best, 0)
    gc.disable()
    try:
        for _ in range(5):
            for run in best:
                started = time.perf_counter()
                valid[run] = run(items, from_text=from_text)
                best[run] = min(best[run], time.perf_counter() - started)
    finally:
        gc.enable()
    return (COUNT / best[ours], COUNT / best[baseline], valid[ours], valid[baseline])


def measure() -> list[Row]:
    """Offline validation throughput: generated models beside jsonschema, objects and JSON text."""
    rows = []
    cases = (
        (payloads(), True, "JSON files"),
        (payloads(), False, "Python dicts"),
        (dataset_payloads(), False, "dataset targets"),
    )
    for dicts, from_text, label in cases:
        items = [(k, json.dumps(b)) for k, b in dicts] if from_text else dicts
        ours, theirs, ours_valid, theirs_valid = _rates(items, from_text)
        # Same verdicts (the models are stricter only where the README says: closed objects).
        assert abs(ours_valid - theirs_valid) < COUNT * 0.01, (label, ours_valid, theirs_valid)
        rows.append(
            higher_is_better(
                f"offline validation, {COUNT} {label}, models vs jsonschema", ours, theirs, "/s", 10
            )
        )
    ours, theirs, ours_valid, theirs_valid = _rates(
        payloads(), False, with_fastjsonschema, ours=with_is_valid
    )
    assert abs(ours_valid - theirs_valid) < COUNT * 0.01, ("fastjsonschema", ours_valid)
    rows.append(
        higher_is_better(
            f"offline validation, {COUNT} Python dicts, is_valid vs fastjsonschema (compiled)",
            ours,
            theirs,
            "/s",
            2,
        )
    )
    ours, theirs, _, _ = _rates(payloads(), False, with_fastjsonschema)
    rows.append(
        reference(
            "  the models themselves (instances, and every error masked) vs fastjsonschema",
            ours,
            theirs,
            "/s",
        )
    )
    floor, fast, floor_valid, fast_valid = _rates(
        payloads(), False, with_fastjsonschema, ours=with_bare_pydantic
    )
    assert abs(floor_valid - fast_valid) < COUNT * 0.01, ("bare pydantic", floor_valid)
    rows.append(
        reference(
            "  floor: bare pydantic models of the same schemas vs fastjsonschema",
            floor,
            fast,
            "/s",
        )
    )
    return rows


if __name__ == "__main__":
    print_table(measure())
