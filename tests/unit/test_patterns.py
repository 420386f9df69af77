r"""Spec patterns in linear time (the ReDoS finding). The Amazon S3 ``path`` pattern that
backtracked exponentially under Python's ``re`` now runs on Rust's engine: the builder, ``destgen
validate`` and the emulator answer at once; look-around patterns stay on Python's engine only when
no repetition can backtrack; ECMA-262 meanings of ``$`` and ``\d`` hold on both engines.
"""

from __future__ import annotations

import json
import time

import httpx
import pytest
from destgen_runtime.schema.patterns import (
    UnsafePattern,
    backtracking_risk,
    compile_pattern,
    ecma_to_engine,
)
from pydantic import ValidationError

import destgen_destinations.amazon_s3 as s3
from destgen_emulator import EmulatorServer
from tests.conftest import ROOT, documented, run_cli

S3_PATH = json.loads((ROOT / "specs_cache" / "amazon_s3.json").read_text())["targetSpec"]["spec"][
    "properties"
]["path"]["pattern"]
HOSTILE_PATH = "%SEGMENT_NAME%/" * 30 + "#"
# Each of these took minutes or forever under Python's re; any answer within this bound is linear.
BOUND_S = 2.0


def _timed(call: object) -> float:
    started = time.perf_counter()
    assert callable(call)
    call()
    return time.perf_counter() - started


def test_the_shipped_s3_path_pattern_runs_on_rust() -> None:
    compiled = compile_pattern(S3_PATH)
    assert compiled.engine == "rust"
    assert compiled.search("folder/%SEGMENT_NAME%/")
    assert _timed(lambda: compiled.search(HOSTILE_PATH)) < BOUND_S
    assert not compiled.search(HOSTILE_PATH)


def test_the_builder_refuses_the_hostile_path_at_once() -> None:
    def build() -> None:
        with pytest.raises(ValidationError, match="path"):
            s3.target_connection(
                name="t",
                base_connection_id="b",
                bucket_name="acme",
                path=HOSTILE_PATH,
                file_type="CSV",
                compression="GZIP",
            )

    assert _timed(build) < BOUND_S


def test_destgen_validate_refuses_the_hostile_path_at_once(tmp_path: object) -> None:
    payload = documented("03_target_connection__amazon_s3")
    payload["params"]["path"] = HOSTILE_PATH
    target = __import__("pathlib").Path(str(tmp_path)) / "t.json"
    target.write_text(json.dumps(payload))
    started = time.perf_counter()
    done = run_cli("validate", "--kind", "target-connection", str(target))
    assert time.perf_counter() - started < BOUND_S
    assert done.returncode == 1
    assert "$.params.path" in done.stdout


def test_the_emulator_refuses_the_hostile_path_and_keeps_serving() -> None:
    payload = documented("03_target_connection__amazon_s3")
    headers = {
        "Authorization": "Bearer t",
        "x-api-key": "k",
        "x-gw-ims-org-id": "ORG@AdobeOrg",
        "x-sandbox-name": "prod",
    }
    with EmulatorServer() as server, httpx.Client(base_url=server.base_url, timeout=10) as http:
        base = http.post(
            "/data/foundation/flowservice/connections",
            json=documented("02_base_connection__amazon_s3_access_key"),
            headers=headers,
        ).json()["id"]
        payload["baseConnectionId"] = base
        payload["params"]["path"] = HOSTILE_PATH
        started = time.perf_counter()
        answer = http.post(
            "/data/foundation/flowservice/targetConnections", json=payload, headers=headers
        )
        assert time.perf_counter() - started < BOUND_S
        assert answer.status_code == 400
        assert "$.params.path" in answer.text
        assert http.get("/emulator/health").status_code == 200


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        (r"^[a-z]+$", "abc\n", False),  # ECMA's $ is the end, not "before a final newline"
        (r"^\d+$", "\u0661\u0662", False),  # ECMA's \d is [0-9]
        (r"^[\d-]+$", "12-3", True),
        (r"^\w+$", "caf\u00e9", False),
        (r"(?=^.{3,5}$)^[a-z]+$", "abcd\n", False),  # look-ahead: Python engine, same meanings
        (r"(?=^.{3,5}$)^\d+$", "\u0661\u0662\u0663", False),
        (r"(?=^.{3,5}$)^[a-z]+$", "abcd", True),
        (r"^a\$b$", "a$b", True),  # an escaped $ stays a dollar sign
        (r"^[$]+$", "$$", True),
    ],
)
def test_ecma_meanings_on_both_engines(pattern: str, text: str, matches: bool) -> None:
    assert compile_pattern(pattern).search(text) is matches


@pytest.mark.parametrize(
    "pattern",
    [
        r"(?=x)^(a+)+$",
        r"(?=x)(a*)*b",
        r"(?=x)((%SEGMENT_(NAME|ID)%)?/?)+$",
        r"(?=x)(.*,)*y",
        r"(?=x)(a|aa)*b",
    ],
)
def test_look_around_patterns_that_could_backtrack_are_refused(pattern: str) -> None:
    with pytest.raises(UnsafePattern, match="may backtrack catastrophically"):
        compile_pattern(pattern)


@pytest.mark.parametrize(
    "pattern",
    [
        r"(?=^.{3,63}$)(?!^(\d+\.)+\d+$)(^(([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])\.)*"
        r"([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])$)",
        r"^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$",
    ],
    ids=["s3-bucket", "azure-container"],
)
def test_shipped_look_around_patterns_pass_the_check(pattern: str) -> None:
    assert backtracking_risk(ecma_to_engine(pattern, python=True)) is None
    assert compile_pattern(pattern).engine == "python"


def test_patterns_without_look_around_are_linear_even_when_written_badly() -> None:
    evil = compile_pattern(r"^(a+)+$")
    assert evil.engine == "rust"
    assert _timed(lambda: evil.search("a" * 50_000 + "!")) < BOUND_S


def test_a_pattern_no_engine_compiles_is_refused() -> None:
    with pytest.raises(UnsafePattern, match="does not compile"):
        compile_pattern("(?<=a+)b")


def _functions_in(schema: object) -> list[str]:
    """The Python function validators anywhere in a core schema."""
    if isinstance(schema, dict):
        own = [str(schema["type"])] if str(schema.get("type", "")).startswith("function") else []
        return own + [kind for value in schema.values() for kind in _functions_in(value)]
    if isinstance(schema, list):
        return [kind for value in schema for kind in _functions_in(value)]
    return []


@pytest.mark.parametrize(
    ("pattern", "good", "bad"),
    [
        (r"^[a-z]+$", "abc", "abc\n"),  # Rust, as written
        (r"^\d{2}$", "12", "\u0661\u0662"),  # Rust, read in ECMA terms ([0-9])
        (r"(?=^.{3,5}$)^[a-z]+$", "abcd", "abcd\n"),  # look-ahead: Python's re, in ECMA terms
    ],
    ids=["rust-as-written", "rust-translated", "python-look-around"],
)
def test_a_text_pattern_is_checked_inside_pydantic_core(pattern: str, good: str, bad: str) -> None:
    from typing import Annotated

    from destgen_runtime.schema.field_rules import TextRule
    from pydantic import TypeAdapter

    adapter = TypeAdapter(Annotated[str, TextRule(pattern=pattern)])
    assert _functions_in(adapter.core_schema) == []  # no Python frame per value
    assert adapter.validate_python(good) == good
    with pytest.raises(ValidationError) as failed:
        adapter.validate_python(bad)
    (error,) = failed.value.errors()
    # The spec's own text, whatever the engine was given.
    assert error["type"] == "string_pattern_mismatch"
    assert error["msg"] == f"String should match pattern '{pattern}'"
    with pytest.raises(ValidationError) as wrong_type:
        adapter.validate_python(5)
    assert wrong_type.value.errors()[0]["type"] == "string_type"
    assert adapter.json_schema()["pattern"] == pattern
