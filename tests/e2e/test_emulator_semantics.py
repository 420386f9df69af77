"""Emulator semantics over real sockets: etags, lists, filters, races, faults, runs, state, secrets.

Loops are bounded in count and time; every address is 127.0.0.1.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from destgen_emulator import EmulatorServer
from destgen_emulator.http.faults import FaultRule, load_rules
from tests.conftest import documented
from tests.e2e.conftest import FLOW, HEADERS, created, new_audiences
from tests.e2e.test_emulator_rules import _chain

ADD = "/transformations/0/params/segmentSelectors/selectors/-"


def _audience(audience_id: str) -> dict[str, Any]:
    op: dict[str, Any] = documented("04b_add_audiences__add_audience_to_dataflow")[0]
    op["value"]["value"]["id"] = audience_id
    return op


def test_emulator_etag_changes_on_update_and_actions(api: httpx.Client) -> None:
    ids = _chain(api)
    seen = {ids["etag"]}
    for op in ("disable", "enable"):
        response = api.post(f"/flows/{ids['flow']}/action", params={"op": op})
        assert response.status_code == 200
        seen.add(response.json()["etag"])
    flow = api.get(f"/flows/{ids['flow']}").json()["items"][0]
    assert len(seen) == 3
    assert flow["etag"] == flow["version"]
    assert flow["state"] == "enabled"
    again = api.post(f"/flows/{ids['flow']}/action", params={"op": "ENABLE"})
    assert again.status_code == 400
    assert "FLOW-1422-400" in again.json()["type"]


def test_emulator_pagination_beyond_100_with_tokens(api: httpx.Client) -> None:
    body = documented("01_source_connection__create_source_connection")
    made = {
        created(api.post("/sourceConnections", json=body | {"name": f"s{i}"}))["id"]
        for i in range(130)
    }
    first = api.get("/sourceConnections").json()
    assert len(first["items"]) == 100
    assert "next" in first["_links"]
    seen: set[str] = set()
    url: str | None = "/sourceConnections?limit=40"
    pages = 0
    while url and pages < 10:
        page = api.get(url.removeprefix(FLOW)).json()
        seen |= {item["id"] for item in page["items"]}
        url = page["_links"].get("next", {}).get("href")
        pages += 1
    assert seen == made
    assert pages == 4
    assert api.get("/sourceConnections", params={"limit": 101}).status_code == 400
    assert api.get("/sourceConnections", params={"count": "true"}).json() == {"count": 130}


def test_emulator_property_filters(emulator: EmulatorServer, api: httpx.Client) -> None:
    ids = _chain(api)
    [audience] = new_audiences(emulator.base_url, ["Filtered"])

    def flows(*props: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = api.get(
            "/flows", params=[("property", p) for p in props]
        ).json()["items"]
        return items

    assert [f["id"] for f in flows(f"id=={ids['flow']}")] == [ids["flow"]]
    assert len(flows(f"id=={ids['flow']},other")) == 1
    assert len(flows(f"targetConnectionIds[]=={ids['target']}", "state==enabled")) == 1
    assert flows(f"targetConnectionIds[]=={ids['target']}", "state==disabled") == []
    ops = [_audience(audience)]
    api.patch(
        f"/flows/{ids['flow']}", json=ops, headers={"If-Match": ids["etag"]}
    ).raise_for_status()
    selected = f"transformations[].params.segmentSelectors.selectors[].value.id=={audience}"
    assert len(flows(selected)) == 1
    assert api.get("/flows", params={"property": "name~x"}).status_code == 400


def test_emulator_racing_patches_exactly_one_wins(
    emulator: EmulatorServer, api: httpx.Client
) -> None:
    ids = _chain(api)
    audiences = new_audiences(emulator.base_url, [f"r{n}" for n in range(8)])
    barrier = threading.Barrier(8, timeout=10)

    def race(n: int) -> int:
        with httpx.Client(base_url=api.base_url, headers=HEADERS, timeout=10) as client:
            barrier.wait()
            return client.patch(
                f"/flows/{ids['flow']}",
                json=[_audience(audiences[n])],
                headers={"If-Match": ids["etag"]},
            ).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = sorted(pool.map(race, range(8)))
    assert statuses == [200] + [412] * 7


def test_emulator_concurrent_writers_lose_no_update(
    emulator: EmulatorServer, api: httpx.Client
) -> None:
    ids = _chain(api)
    names = [f"w{n}-{k}" for n in range(6) for k in range(10)]
    audience = dict(zip(names, new_audiences(emulator.base_url, names), strict=True))

    def writer(n: int) -> None:
        with httpx.Client(base_url=api.base_url, headers=HEADERS, timeout=10) as client:
            for k in range(10):
                for _attempt in range(200):  # bounded retry on 412
                    etag = client.get(f"/flows/{ids['flow']}").json()["items"][0]["etag"]
                    status = client.patch(
                        f"/flows/{ids['flow']}",
                        json=[_audience(audience[f"w{n}-{k}"])],
                        headers={"If-Match": etag},
                    ).status_code
                    if status == 200:
                        break
                    assert status == 412

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(writer, range(6)))
    selectors = api.get(f"/flows/{ids['flow']}").json()["items"][0]["transformations"][0]["params"][
        "segmentSelectors"
    ]["selectors"]
    assert sorted(s["value"]["id"] for s in selectors) == sorted(audience.values())


def _statuses(rules: list[FaultRule], seed: int, count: int = 20) -> list[int]:
    with (
        EmulatorServer(faults=rules, seed=seed) as server,
        httpx.Client(base_url=server.base_url + FLOW, headers=HEADERS) as client,
    ):
        return [client.get("/flows").status_code for _ in range(count)]


def test_emulator_faults_reproducible_by_seed() -> None:
    def make() -> list[FaultRule]:
        return [FaultRule(fault="503", path="/flows$", probability=0.4)]

    first, again, other = _statuses(make(), 7), _statuses(make(), 7), _statuses(make(), 8)
    assert first == again
    assert 503 in first
    assert 200 in first
    assert first != other


def test_emulator_fault_kinds(tmp_path: Path) -> None:
    rules_file = tmp_path / "faults.toml"
    rules_file.write_text(
        '[[faults]]\nfault = "429"\nmethod = "GET"\npath = "/flows$"\ntimes = 1\nretry_after = 3\n'
        '[[faults]]\nfault = "drop"\nmethod = "GET"\npath = "/connections$"\ntimes = 1\n'
        '[[faults]]\nfault = "commit_then_500"\nmethod = "POST"\n'
        'path = "/sourceConnections$"\ntimes = 1\n'
    )
    with (
        EmulatorServer(faults=load_rules(rules_file)) as server,
        httpx.Client(base_url=server.base_url + FLOW, headers=HEADERS) as client,
    ):
        limited = client.get("/flows")
        assert limited.status_code == 429
        assert limited.headers["retry-after"] == "3"
        assert client.get("/flows").status_code == 200
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/connections")
        body = documented("01_source_connection__create_source_connection")
        assert client.post("/sourceConnections", json=body).status_code == 500
        assert len(client.get("/sourceConnections").json()["items"]) == 1  # committed anyway


def test_emulator_runs_after_time_passes(emulator: EmulatorServer, api: httpx.Client) -> None:
    ids = _chain(api)
    a1, a2 = new_audiences(emulator.base_url, ["a1", "a2"])
    api.patch(
        f"/flows/{ids['flow']}",
        json=[_audience(a1), _audience(a2)],
        headers={"If-Match": ids["etag"]},
    ).raise_for_status()
    advanced = httpx.post(
        emulator.base_url + "/emulator/advance", params={"hours": 48}, headers=HEADERS
    )
    assert advanced.status_code == 200
    runs = api.get("/runs", params={"property": f"flowId=={ids['flow']}"}).json()["items"]
    assert len(runs) == 2
    metrics = runs[0]["metrics"]
    assert metrics["statusSummary"]["status"] == "success"
    assert {e["id"] for e in metrics["recordSummary"]["targetSummaries"][0]["entitySummaries"]} == {
        f"segment:{a1}",
        f"segment:{a2}",
    }
    assert api.get(f"/runs/{runs[0]['id']}").json()["items"][0]["flowId"] == ids["flow"]
    api.post(f"/flows/{ids['flow']}/action", params={"op": "disable"}).raise_for_status()
    assert emulator.advance(24) == []


def test_emulator_state_survives_restart(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    body = documented("01_source_connection__create_source_connection")
    with (
        EmulatorServer(state_file=state) as first,
        httpx.Client(base_url=first.base_url + FLOW, headers=HEADERS) as client,
    ):
        made = created(client.post("/sourceConnections", json=body))
    with (
        EmulatorServer(state_file=state) as second,
        httpx.Client(base_url=second.base_url + FLOW, headers=HEADERS) as client,
    ):
        item = client.get(f"/sourceConnections/{made['id']}").json()["items"][0]
        assert item["etag"] == made["etag"]
        assert created(client.post("/sourceConnections", json=body))["etag"] != made["etag"]


def test_emulator_secrets_masked_in_get_state_and_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    canary = "CANARYsecretVALUE0123456789abcdefghijKL"
    body = documented("02_base_connection__amazon_s3_access_key")
    body["auth"]["params"]["s3SecretKey"] = canary[:40].ljust(40, "x")
    state = tmp_path / "state.json"
    caplog.set_level(logging.DEBUG)
    with (
        EmulatorServer(state_file=state) as server,
        httpx.Client(base_url=server.base_url + FLOW, headers=HEADERS) as client,
    ):
        made = created(client.post("/connections", json=body))
        shown = client.get(f"/connections/{made['id']}").text
    assert canary[:20] not in shown
    assert "********" in shown
    assert canary[:20] not in state.read_text()
    assert canary[:20] not in caplog.text


def test_emulator_sandbox_defaults_to_prod_and_isolates(api: httpx.Client) -> None:
    body = documented("01_source_connection__create_source_connection")
    made = created(api.post("/sourceConnections", json=body, headers={"x-sandbox-name": "dev"}))
    assert api.get(f"/sourceConnections/{made['id']}").status_code == 404
    no_header = {k: v for k, v in HEADERS.items() if k != "x-sandbox-name"}
    prod = created(
        httpx.post(
            str(api.base_url).rstrip("/") + "/sourceConnections", json=body, headers=no_header
        )
    )
    assert api.get(f"/sourceConnections/{prod['id']}").json()["items"][0]["sandboxName"] == "prod"


def test_emulator_refuses_non_loopback_host() -> None:
    with pytest.raises(ValueError, match="loopback"):
        EmulatorServer(host="0.0.0.0")


def test_emulator_cli_prints_base_url_and_serves() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "destgen", "emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("destgen emulator listening on http://127.0.0.1:")
        url = line.split()[-1]
        spec = httpx.get(
            url + FLOW + "/connectionSpecs/36965a81-b1c6-401b-99f8-22508f1e6a26",
            headers=HEADERS,
            timeout=10,
        )
        assert spec.status_code == 200
        assert spec.json()["items"][0]["name"] == "SFTP"
        flow_spec = httpx.get(
            url + FLOW + "/flowSpecs/fd36aaa4-bf2b-43fb-9387-43785eeeb799",
            headers=HEADERS,
            timeout=10,
        )
        assert json.loads(flow_spec.text)["items"][0]["targetConnectionSpecIds"] == [
            "36965a81-b1c6-401b-99f8-22508f1e6a26"
        ]
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()
        if process.stderr:
            process.stderr.close()


def test_emulator_orderby_and_name_filter(api: httpx.Client) -> None:
    body = documented("01_source_connection__create_source_connection")
    for name in ("b", "c", "a"):
        created(api.post("/sourceConnections", json=body | {"name": name}))

    def names(order: str) -> list[str]:
        items = api.get("/sourceConnections", params={"orderby": order}).json()["items"]
        return [i["name"] for i in items]

    assert names("name") == ["a", "b", "c"]
    assert names("-name") == ["c", "b", "a"]
    only = api.get(
        "/sourceConnections", params={"property": "name==a,c", "orderby": "name"}
    ).json()["items"]
    assert [i["name"] for i in only] == ["a", "c"]


def test_emulator_latency_and_gateway_faults(tmp_path: Path) -> None:
    rules = [
        FaultRule(fault="latency", path="/flows$", latency_ms=300, times=1),
        FaultRule(fault="502", path="/connections$", times=1),
        FaultRule(fault="504", path="/connections$", times=1),
    ]
    with (
        EmulatorServer(faults=rules) as server,
        httpx.Client(base_url=server.base_url + FLOW, headers=HEADERS) as client,
    ):
        started = time.perf_counter()
        assert client.get("/flows").status_code == 200
        assert time.perf_counter() - started >= 0.3  # a lower bound, not a speed assertion
        assert [client.get("/connections").status_code for _ in range(3)] == [502, 504, 200]


class _Collecting(logging.Handler):
    """A log handler that keeps every record it is given."""

    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__()
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_an_injected_drop_prints_no_traceback_and_real_errors_still_do() -> None:
    """A fault run drops a quarter of its requests on purpose; uvicorn logging a traceback for
    each would bury the run's own output. Only the injected drop is kept quiet.
    """
    records: list[logging.LogRecord] = []
    collect = _Collecting(records)
    server_log = logging.getLogger("uvicorn.error")
    with (
        EmulatorServer(faults=[FaultRule(fault="drop", method="GET", path="/flows$")]) as server,
        httpx.Client(base_url=server.base_url + FLOW, headers=HEADERS) as client,
    ):
        # Added once the server has configured its logging (which replaces handlers).
        server_log.addHandler(collect)
        try:
            with pytest.raises(httpx.RemoteProtocolError):
                client.get("/flows")
            assert [r for r in records if r.exc_info] == []
            try:
                raise RuntimeError("a real bug")
            except RuntimeError:
                server_log.error("Exception in ASGI application", exc_info=True)
            assert [str(r.exc_info[1]) for r in records if r.exc_info] == ["a real bug"]
        finally:
            server_log.removeHandler(collect)
