"""``destgen demo``, the main job: every examples/ activation against a local emulator, then a day
of runs.

Demo secrets are random values made for this run only and exist in this process alone.
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import string
import sys
from pathlib import Path
from typing import Any

from destgen_runtime.activation.engine import activate
from destgen_runtime.activation.file import ActivationError
from destgen_runtime.api import operations as ops
from destgen_runtime.transport.client import FlowServiceClient
from destgen_runtime.transport.credentials import Identity, StaticToken
from destgen_runtime.transport.errors import DestgenError

from destgen.cli.activate import load_file, print_table
from destgen.cli.exit_codes import Exit
from destgen.cli.say import say
from destgen.cli.wording import plural
from destgen_emulator import EmulatorServer


def demo_secrets() -> dict[str, str]:
    """One made-up value per secret the examples reference, shaped to pass each spec's rules."""
    alphabet = string.ascii_letters + string.digits + "+/"

    def b64(size: int) -> str:
        return base64.b64encode(secrets.token_bytes(size)).decode()

    return {
        "S3_SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(40)),
        "S3_ROLE_ARN": "arn:aws:iam::123456789012:role/destgen-demo",
        "AZURE_BLOB_CONNECTION_STRING": "DefaultEndpointsProtocol=https;AccountName=demo;"
        f"AccountKey={b64(24)}",
        "ADLS_SERVICE_PRINCIPAL_KEY": secrets.token_urlsafe(24),
        "GCS_SECRET_ACCESS_KEY": secrets.token_urlsafe(30),
        "SFTP_PASSWORD": secrets.token_urlsafe(16),
        "SFTP_SSH_KEY": b64(96),
        "EVENT_HUBS_SAS_KEY": b64(32),
        "BRAZE_TOKEN": secrets.token_urlsafe(24),
        "CAMPAIGN_S3_SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(40)),
        "LEGACY_S3_SECRET_KEY": secrets.token_urlsafe(30),
        "SFMC_SFTP_PASSWORD": secrets.token_urlsafe(16),
    }


def run_demo_command(_args: argparse.Namespace) -> int:
    """``destgen demo``: the examples shipped with destgen."""
    from destgen.resources import examples_dir

    return run_demo(examples_dir())


def run_demo(folder: Path) -> int:
    """``destgen demo``: every example activation against a local emulator, with a summary."""
    files = sorted(p for p in folder.iterdir() if p.suffix in (".json", ".yaml", ".yml"))
    for name, value in demo_secrets().items():
        os.environ.setdefault(name, value)
    say(f"{len(files)} activations against a local emulator", "demo")
    with EmulatorServer() as emulator:
        identity = Identity(
            StaticToken(secrets.token_urlsafe(16)), "destgen-demo", "DEMO@AdobeOrg", "prod"
        )
        results = []
        with FlowServiceClient(base_url=emulator.base_url, identity=identity) as client:
            for path in files:
                print(f"== {path.name}", file=sys.stderr)
                try:
                    payloads = load_file(path)
                    results.append(
                        (
                            path,
                            activate(
                                client,
                                payloads,
                                progress=lambda s: print(f"   -> {s}", file=sys.stderr),
                            ),
                        )
                    )
                except (ActivationError, DestgenError, FileNotFoundError) as exc:
                    say(f"{path}: {exc}", "demo")
                    return Exit.FAILED
            emulator.advance(24)
            for path, result in results:
                flow_id = result.id_of("dataflow")
                runs: dict[str, list[dict[str, Any]]] = {
                    flow_id: [e.data for e in client.iterate(ops.runs(flow_id))]
                }
                print_table(
                    result,
                    title=f"{path.name} ({plural(len(runs[flow_id]), 'run')} after 24 h)",
                    runs=runs,
                )
    return Exit.OK
