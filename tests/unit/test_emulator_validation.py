"""The emulator's request checks called directly: spec references, names, auth and encryption
params, and every documented audience-selector rule, each refusal naming the rule it breaks.
"""

from __future__ import annotations

from typing import Any

import pytest

from destgen_emulator.service import validation
from destgen_emulator.service.catalog import Catalog
from destgen_emulator.service.errors import ApiError
from destgen_emulator.service.validation import selector_problems
from tests.conftest import ROOT, documented

CATALOG = Catalog(ROOT / "specs_cache")
S3 = next(d for d in CATALOG.destinations.values() if d.slug == "amazon_s3")
DLZ = next(d for d in CATALOG.destinations.values() if d.slug == "data_landing_zone")
S3_KEY = documented("02_base_connection__amazon_s3_access_key")


def _problems(error: ApiError) -> str:
    return str(error.body)


def test_spec_refs_and_names() -> None:
    with pytest.raises(ApiError, match=r"connectionSpec.id is required"):
        validation.require_spec_ref({"connectionSpec": {"version": "1.0"}}, "connectionSpec")
    with pytest.raises(ApiError) as caught:
        validation.require_spec_ref({"connectionSpec": {"id": "x"}}, "connectionSpec")
    assert caught.value.status == 422
    assert validation.require_spec_ref({"flowSpec": {"id": "f"}}, "flowSpec") == {"id": "f"}
    with pytest.raises(ApiError, match="must be a JSON object"):
        validation.require_name(["x"])
    with pytest.raises(ApiError, match="name is required"):
        validation.require_name({"name": "  "})


def test_base_connection_auth_and_encryption() -> None:
    validation.base_connection(S3_KEY, S3)
    validation.base_connection({"name": "dlz"}, DLZ)  # no auth spec: nothing to check
    with pytest.raises(ApiError, match="could not be found for the connection spec ID"):
        validation.base_connection({"auth": {"specName": "Nope"}}, S3)
    with pytest.raises(ApiError, match="one of"):
        validation.base_connection({"auth": "text"}, S3)
    bad_encryption = S3_KEY | {"encryptionSpecs": {"params": {"encryptionAlgo": "ROT13"}}}
    with pytest.raises(ApiError) as caught:
        validation.base_connection(bad_encryption, S3)
    assert "$.encryptionSpecs.params" in _problems(caught.value)
    not_object = S3_KEY | {"encryptionSpecs": "PGP"}
    with pytest.raises(ApiError) as caught:
        validation.base_connection(not_object, S3)
    assert "$.encryptionSpecs.params" in _problems(caught.value)


def test_target_params_name_the_rule_not_the_value() -> None:
    with pytest.raises(ApiError) as caught:
        validation.target_params({"bucketName": "s3cr3t-value-x", "path": 7}, S3)
    text = _problems(caught.value)
    assert "$.params.path: fails type" in text
    assert "s3cr3t-value-x" not in text


def test_selectors_must_be_an_array() -> None:
    with pytest.raises(ApiError, match="transformations must be an array"):
        validation.selectors({"params": {}})
    validation.selectors([{"params": {"segmentSelectors": {"selectors": "none"}}}, "x"])


def _selector(**value: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "seg",
        "filenameTemplate": "%SEGMENT_ID%",
        "exportMode": "DAILY_FULL_EXPORT",
        "schedule": {
            "frequency": "DAILY",
            "triggerType": "AFTER_SEGMENT_EVAL",
            "startDate": "2026-12-01",
        },
    }
    return {"type": "PLATFORM_SEGMENT", "value": base | value}


def _schedule(**changes: Any) -> dict[str, Any]:
    schedule = dict(_selector()["value"]["schedule"])
    for key, value in changes.items():
        if value is None:
            schedule.pop(key)
        else:
            schedule[key] = value
    return schedule


@pytest.mark.parametrize(
    ("selector", "problem"),
    [
        ({"type": "DATASET"}, "type must be PLATFORM_SEGMENT"),
        ({"type": "PLATFORM_SEGMENT", "value": {}}, "value.id is required"),
        (_selector(filenameTemplate=""), "value.filenameTemplate is required"),
        (_selector(filenameTemplate="x" * 256), "longer than 255 characters"),
        (
            _selector(filenameTemplate="%DATETIME(YYYYMMdd)%_%TIMESTAMP%"),
            "uses DATETIME and TIMESTAMP together",
        ),
        (_selector(exportMode="HOURLY"), "value.exportMode must be DAILY_FULL_EXPORT"),
        (_selector(schedule=_schedule(frequency="HOURLY")), "frequency HOURLY is not allowed"),
        (_selector(schedule=_schedule(triggerType="NOW")), "triggerType must be SCHEDULED"),
        (_selector(schedule=_schedule(triggerType=None)), "triggerType is required with DAILY"),
        (_selector(schedule=_schedule(startTime="10:30")), "startTime must be HH:00 (UTC)"),
        (
            _selector(schedule=_schedule(triggerType="SCHEDULED")),
            "startTime is required for scheduled and incremental exports",
        ),
        (_selector(schedule=_schedule(startDate="2026-02-30")), "startDate must be YYYY-MM-DD"),
        (_selector(schedule=_schedule(endDate="tomorrow")), "endDate must be YYYY-MM-DD"),
        (_selector(schedule=_schedule(startDate=None)), "schedule.startDate is required"),
    ],
)
def test_every_selector_rule(selector: dict[str, Any], problem: str) -> None:
    found = selector_problems(selector)
    assert any(problem in p for p in found), found
    assert selector_problems(_selector()) == []
