"""What a person at a terminal sees from plan and apply, through a real pseudo-terminal: the diff
coloured (never in a pipe, never under NO_COLOR), each write as it happens, a bar for a folder;
and what a pipe gets instead.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from destgen.cli.demo import demo_secrets
from destgen_emulator import EmulatorServer
from tests.conftest import ROOT, run_destgen

GREEN_CREATE = "\x1b[32m  + create"
# A foreground colour's escape (bold and italic are styles, which NO_COLOR leaves alone).
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-7]|9[0-7]|38;)")
DEADLINE = 60.0  # seconds one command may take before the test gives up on it


def _env(server: EmulatorServer, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    env |= demo_secrets() | {
        "AEP_BASE_URL": server.base_url,
        "AEP_ACCESS_TOKEN": "t",
        "AEP_API_KEY": "k",
        "AEP_ORG_ID": "TERMINAL@AdobeOrg",
        "AEP_SANDBOX_NAME": "prod",
        "TERM": "xterm-256color",
        "COLUMNS": "200",
    }
    return env | extra


def _at_terminal(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """``destgen ARGS`` with stdin, stdout and stderr on one pseudo-terminal: its exit code and
    everything it wrote there, read until it exits (bounded by DEADLINE).
    """
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "destgen", *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        cwd=cwd,
        env=env,
    )
    os.close(follower)
    chunks: list[bytes] = []
    deadline = time.monotonic() + DEADLINE
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.5)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the terminal's other side closed
                break
            if not chunk:
                break
            chunks.append(chunk)
        code = process.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(leader)
    return code, b"".join(chunks).decode("utf-8", "replace")


def _copy(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "destinations"
    folder.mkdir()
    for name in names:
        (folder / name).write_text((ROOT / "examples" / name).read_text())
    return folder


@pytest.mark.timeout(180)
def test_a_terminal_gets_colour_each_write_and_a_bar_a_pipe_plain_lines(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    folder = _copy(tmp_path, "amazon_s3.json", "azure_blob.json")
    env = _env(emulator)
    code, seen = _at_terminal(["plan", str(folder)], env, tmp_path)
    assert code == 3, seen
    assert GREEN_CREATE in seen  # the diff coloured by sign
    assert "\x1b[33m  ~ update flows" in seen
    # The entity both files name is shown once, with its files, and counted once.
    assert seen.count("+ create sourceConnections 'Connect to Profile store'") == 1
    assert "shared by 2 files" in seen
    assert "(known after apply)" in seen
    assert "planned-" not in seen

    code, seen = _at_terminal(["plan", str(folder)], env | {"NO_COLOR": "1"}, tmp_path)
    assert code == 3, seen
    assert "+ create" in seen
    assert not COLOUR.search(seen)  # no colour anywhere, the table's included

    code, seen = _at_terminal(["apply", "--yes", str(folder)], env, tmp_path)
    assert code == 0, seen
    # Each write said as it starts and when it is done, with its time.
    assert "amazon_s3.json: creating connections 'Acme exports to S3'...\r\n" in seen
    assert "amazon_s3.json: creating connections 'Acme exports to S3'... done " in seen
    assert "azure_blob.json: changing flows 'Acme audiences to azure_blob'... done " in seen
    assert re.search(r"files .*\d/2", seen), seen  # the folder's bar
    assert "Apply complete: 13 created, 2 changed, 0 removed." in seen


@pytest.mark.timeout(180)
def test_a_pipe_gets_no_colour_no_bar_and_only_finished_writes(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    folder = _copy(tmp_path, "amazon_s3.json", "azure_blob.json")
    env = _env(emulator)
    planned = run_destgen("plan", str(folder), env=env)
    assert planned.returncode == 3, planned.stderr
    assert "\x1b[" not in planned.stdout + planned.stderr
    assert planned.stdout.splitlines()[-1] == "Plan: 13 to create, 2 to change, 0 to remove."
    applied = run_destgen("apply", "--yes", str(folder), env=env)
    assert applied.returncode == 0, applied.stderr
    assert "\x1b[" not in applied.stdout + applied.stderr
    steps = [line for line in applied.stderr.splitlines() if "creating" in line]
    # In a log, each write is one finished line: no "started" line to interleave.
    assert steps, applied.stderr
    assert all("... done " in line for line in steps), applied.stderr
    assert applied.stdout.splitlines()[-1] == "Apply complete: 13 created, 2 changed, 0 removed."
    report = run_destgen("plan", "--json", str(folder), env=env)
    assert json.loads(report.stdout)["summary"] == {"create": 0, "change": 0, "remove": 0}
