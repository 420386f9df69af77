"""Hostile files and server answers the review of issue 23 found: a YAML alias bomb, run records
with odd values, a token that claims to live forever. Each is refused or tamed, never a hang or
a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from destgen_runtime.transport.credentials import (
    MAX_TOKEN_LIFETIME_S,
    ClientCredentials,
)

from destgen.cli.activate import read_document
from destgen.cli.status import MAX_MS, _run


def test_a_yaml_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 10)]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\n")  # 9**10 strings once expanded
    with pytest.raises(FileNotFoundError, match="aliases") as refused:
        read_document(bomb)
    assert "\n" not in str(refused.value)


def test_anchors_without_aliases_still_load(tmp_path: Path) -> None:
    plain = tmp_path / "plain.yaml"
    plain.write_text("destination: sftp\nnames: &n [a, b]\n")
    assert read_document(plain) == {"destination": "sftp", "names": ["a", "b"]}


@pytest.mark.parametrize(
    "run",
    [
        None,
        [],
        {"metrics": []},
        {"metrics": {"recordSummary": {"outputRecordCount": "many"}}},
        {"metrics": {"durationSummary": {"startedAtUTC": 10**30}}},
        {"metrics": {"durationSummary": {"startedAtUTC": "1e400"}}},
        {"metrics": {"statusSummary": {"errors": ["not an object", {"code": "\x1b[2J"}]}}},
        {"metrics": {"recordSummary": {"targetSummaries": [{"entitySummaries": "x"}, 3]}}},
    ],
    ids=["null", "list", "metrics-list", "text-count", "huge-start", "inf-start", "ansi", "odd"],
)
def test_status_reads_any_run_record(run: Any) -> None:
    found = _run(run)
    assert 0 <= found["started"] <= MAX_MS
    assert isinstance(found["records"], int)
    assert all("\x1b" not in e for e in found["errors"])


def test_a_token_that_claims_to_live_forever_is_asked_again_within_a_day() -> None:
    now = [0.0]
    credentials = ClientCredentials("id", "secret", token_url="https://ims.invalid/t")
    credentials.clock = lambda: now[0]

    def answer(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"access_token": "t", "expires_in": 1e300})

    with httpx.Client(transport=httpx.MockTransport(answer)) as http:
        assert credentials.token(http) == "t"
        now[0] = MAX_TOKEN_LIFETIME_S
        credentials.token(http)
    assert credentials.fetches == 2
