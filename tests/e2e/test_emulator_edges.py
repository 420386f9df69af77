"""Emulator edges over real sockets: unknown spec ids, a body that is not JSON, the time-travel
endpoint's bounds; fault rules from JSON and TOML files; the ``destgen emulator`` refusals.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from destgen_emulator import EmulatorServer
from destgen_emulator.http.faults import FaultRule, load_rules
from destgen_emulator.http.server import check_loopback
from tests.conftest import documented, run_cli

FLOW = "/data/foundation/flowservice"
HEADERS = {
    "Authorization": "Bearer t",
    "x-api-key": "k",
    "x-gw-ims-org-id": "ORG@AdobeOrg",
    "x-sandbox-name": "prod",
}


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with EmulatorServer() as server, httpx.Client(base_url=server.base_url, timeout=10) as client:
        yield client


def test_unknown_specs_are_404(http: httpx.Client) -> None:
    for kind in ("connectionSpecs", "flowSpecs"):
        answer = http.get(f"{FLOW}/{kind}/nope", headers=HEADERS)
        assert answer.status_code == 404
        assert f"The requested {kind} resource nope is not found" in answer.text


def test_a_body_that_is_not_json_is_400(http: httpx.Client) -> None:
    headers = HEADERS | {"Content-Type": "application/json"}
    answer = http.post(f"{FLOW}/flows", content=b"{not json", headers=headers)
    assert answer.status_code == 400
    assert "The request body is not valid JSON" in answer.text


@pytest.mark.parametrize(
    ("hours", "message"), [("soon", "hours must be a number"), ("0", "at most 744"), ("745", "744")]
)
def test_advance_bounds(http: httpx.Client, hours: str, message: str) -> None:
    answer = http.post("/emulator/advance", params={"hours": hours}, headers=HEADERS)
    assert answer.status_code == 400
    assert message in answer.text


def test_fault_rules_from_json_and_toml(tmp_path: Path) -> None:
    as_json = tmp_path / "faults.json"
    as_json.write_text(json.dumps({"faults": [{"fault": "500", "probability": 0.5}]}))
    as_toml = tmp_path / "faults.toml"
    as_toml.write_text('[[faults]]\nfault = "429"\npath = "/flows"\nretry_after = 2\n')
    (rule,) = load_rules(as_json)
    assert (rule.fault, rule.probability) == ("500", 0.5)
    (rule,) = load_rules(as_toml)
    assert (rule.fault, rule.path, rule.retry_after) == ("429", "/flows", 2)
    with pytest.raises(ValueError, match="unknown fault 'teapot'"):
        FaultRule(fault="teapot")


def test_only_loopback_hosts() -> None:
    check_loopback("127.0.0.1")
    check_loopback("::1")
    check_loopback("localhost")
    for host in ("0.0.0.0", "10.0.0.1", "example.org"):
        with pytest.raises(ValueError, match="loopback"):
            check_loopback(host)


def test_emulator_command_refusals(tmp_path: Path) -> None:
    half = run_cli("emulator", "--client-id", "only-the-id")
    assert half.returncode == 2
    assert "--client-id and --client-secret go together" in half.stderr
    bad = tmp_path / "faults.json"
    bad.write_text('[{"fault": "teapot"}]')
    done = run_cli("emulator", "--faults", str(bad))
    assert done.returncode == 2
    assert "destgen emulator: error: unknown fault 'teapot'" in done.stderr
    outside = run_cli("emulator", "--host", "0.0.0.0")
    assert outside.returncode == 2
    for port, message in (("99999", "a port is 0 to 65535, not 99999"), ("x", "not a port")):
        bad_port = run_cli("emulator", "--port", port)
        assert bad_port.returncode == 2
        assert message in bad_port.stderr


def test_emulator_on_a_busy_port_exits_2_with_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = run_cli("emulator", "--port", str(port))
    assert busy.returncode == 2
    assert busy.stderr.splitlines() == [
        f"destgen emulator: error: cannot listen on 127.0.0.1 port {port}: Address already in use"
        " (pick another --port)"
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"name": NaN}', "NaN is not a JSON number"),
        (b'{"name": -Infinity}', "-Infinity is not a JSON number"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"n": ' + b"9" * 5000 + b"}", "not valid JSON"),
    ],
    ids=["nan", "infinity", "deep", "huge-integer"],
)
def test_malformed_numbers_and_nesting_are_400_and_nothing_is_stored(
    http: httpx.Client, body: bytes, message: str
) -> None:
    headers = HEADERS | {"Content-Type": "application/json"}
    answer = http.post(f"{FLOW}/connections", content=body, headers=headers)
    assert answer.status_code == 400, answer.text
    assert message in answer.text
    listed = http.get(f"{FLOW}/connections", headers=HEADERS)
    assert listed.status_code == 200


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not an emulator state file"),
        ('{"counter": NaN, "data": {}}', "not an emulator state file"),
        ('{"counter": 1, "data": {"flows": {"a": {"id": "b"}}}}', "map each id to its entity"),
        ('{"counter": 1, "data": []}', "not an emulator state file"),
        ("[1, 2]", "not an emulator state file"),
    ],
    ids=["not-json", "nan", "wrong-id", "data-list", "array"],
)
def test_a_bad_state_file_is_exit_2_naming_it(tmp_path: Path, content: str, message: str) -> None:
    state = tmp_path / "state.json"
    state.write_text(content)
    done = run_cli("emulator", "--state", str(state))
    assert done.returncode == 2
    assert f"destgen emulator: error: {state}:" in done.stderr
    assert message in done.stderr
    assert state.read_text() == content  # left as it was


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"fault": "500", "path": "("}, "is not a regular expression"),
        ({"fault": "500", "probability": 2}, "is not within 0..1"),
        ({"fault": "500", "colour": "red"}, "colour"),
    ],
    ids=["bad-regex", "probability", "unknown-key"],
)
def test_a_bad_fault_file_is_exit_2(tmp_path: Path, rule: dict[str, object], message: str) -> None:
    faults = tmp_path / "faults.json"
    faults.write_text(json.dumps([rule]))
    done = run_cli("emulator", "--faults", str(faults))
    assert done.returncode == 2
    assert message in done.stderr


def test_advance_needs_the_api_credentials(emulator: EmulatorServer) -> None:
    bare = httpx.post(emulator.base_url + "/emulator/advance", params={"hours": 1})
    assert bare.status_code in (401, 403)  # the gateway refuses a request without credentials


def test_a_body_past_the_cap_is_413_and_never_read_whole(http: httpx.Client) -> None:
    from destgen_emulator.http.app import MAX_BODY_BYTES

    headers = HEADERS | {"Content-Type": "application/json"}
    declared = http.post(
        f"{FLOW}/connections", content=b" " * (MAX_BODY_BYTES + 1), headers=headers
    )
    assert declared.status_code == 413

    def chunks() -> Iterator[bytes]:  # no content-length: counted as it arrives
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b" " * 65536

    streamed = http.post(f"{FLOW}/connections", content=chunks(), headers=headers)
    assert streamed.status_code == 413
    assert "larger than" in streamed.text


ODD_PATCHES = [
    "x",
    [],
    [1],
    [None],
    [{"op": 1, "path": "/name"}],
    [{"op": "add", "path": 5, "value": 1}],
    [{"op": "add"}],
    {"op": "add", "path": "/name", "value": "n"},
    [{"op": "move", "from": "/name", "path": "/description"}],
    [{"op": "add", "path": "/name/x", "value": 1}],
    [{"op": "replace", "path": "", "value": 5}],
    [{"op": "add", "path": "name", "value": "n"}],
]


@pytest.mark.parametrize("collection", ["flows", "connections", "targetConnections"])
def test_json_patch_documents_of_odd_shapes_are_400_never_5xx(
    http: httpx.Client, collection: str
) -> None:
    source = http.post(
        f"{FLOW}/sourceConnections",
        json=documented("01_source_connection__create_source_connection"),
        headers=HEADERS,
    ).json()["id"]
    base = http.post(
        f"{FLOW}/connections",
        json=documented("02_base_connection__amazon_s3_access_key"),
        headers=HEADERS,
    ).json()["id"]
    target = http.post(
        f"{FLOW}/targetConnections",
        json=documented("03_target_connection__amazon_s3") | {"baseConnectionId": base},
        headers=HEADERS,
    ).json()["id"]
    flow_id = http.post(
        f"{FLOW}/flows",
        json=documented("04_create_dataflow__amazon_s3")
        | {"sourceConnectionIds": [source], "targetConnectionIds": [target]},
        headers=HEADERS,
    ).json()["id"]
    entity = {"flows": flow_id, "connections": base, "targetConnections": target}[collection]
    url = f"{FLOW}/{collection}/{entity}"
    before = http.get(url, headers=HEADERS)
    for body in ODD_PATCHES:
        etag = before.json()["items"][0]["etag"]
        answer = http.patch(url, json=body, headers=HEADERS | {"If-Match": etag})
        assert answer.status_code == 400, (body, answer.text)
        assert answer.headers["content-type"] == "application/json"
    after = http.get(url, headers=HEADERS)
    assert after.json() == before.json(), "a refused patch changes nothing"


def test_accepted_connections_send_at_once_without_nagle() -> None:
    """The emulator's listening socket says it is TCP, so asyncio (under uvicorn) sets
    TCP_NODELAY on every connection it accepts: no ~40 ms Nagle/delayed-ACK stall per response.
    """
    import asyncio

    from destgen_emulator.http.server import listening_socket

    sock = listening_socket("127.0.0.1", 0)
    assert sock.proto == socket.IPPROTO_TCP
    seen: list[int] = []

    async def accept_one() -> None:
        accepted = asyncio.Event()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                raw = transport.get_extra_info("socket")
                seen.append(raw.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                accepted.set()
                transport.close()

        server = await asyncio.get_running_loop().create_server(Probe, sock=sock)
        port = sock.getsockname()[1]
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        async with asyncio.timeout(10):
            await accepted.wait()
        writer.close()
        server.close()
        await server.wait_closed()

    asyncio.run(accept_one())
    assert seen == [1]


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("missing/state.json", "the state file cannot be saved there"),
        ("folder", "is a folder, not a state file"),
    ],
)
def test_a_state_file_that_cannot_be_saved_is_refused_at_start(
    tmp_path: Path, where: str, message: str
) -> None:
    (tmp_path / "folder").mkdir()
    state = tmp_path / where
    done = run_cli("emulator", "--state", str(state))
    assert done.returncode == 2
    assert f"destgen emulator: error: {state}: {message}" in done.stderr
    assert "listening" not in done.stdout, "refused before serving anything"
